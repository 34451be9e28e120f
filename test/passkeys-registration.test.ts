import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../src/encoding/base64.ts";
import { auditTrail } from "./support/mfa.ts";
import { authenticator, registerPasskey, registrationOptions, signInWith, verifyRegistration } from "./support/passkeys.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

// The first passkey route loads @simplewebauthn/server through Vite's transform: slow once, on a busy machine.
beforeAll(() => import("@simplewebauthn/server"), 60_000);

const INVALID_REGISTRATION = '{"detail":"Invalid passkey registration"}';

async function passkeyCount(adminId: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE admin_id = ?").bind(adminId).first<{ n: number }>())?.n ?? 0;
}

async function userHandleOf(adminId: string): Promise<string | null> {
  return (
    (await env.DB.prepare("SELECT webauthn_user_id FROM admins WHERE id = ?").bind(adminId).first<{ webauthn_user_id: string | null }>())?.webauthn_user_id ??
    null
  );
}

describe("passkey registration options", () => {
  it("describe a discoverable, user-verified credential for this admin, attestation none", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const response = await call(`${PREFIX}/passkeys/register/options`, { method: "POST", headers: bearer(access_token) });
    expect([response.status, response.headers.get("cache-control")]).toEqual([200, "no-store"]);
    const options = await response.json<Record<string, unknown> & { user: { id: string }; challenge: string }>();
    expect(options).toEqual({
      rp: { id: env.WEBAUTHN_RP_ID, name: env.WEBAUTHN_RP_NAME },
      user: { id: expect.any(String), name: admin.email, displayName: "Test Admin" },
      challenge: expect.any(String),
      pubKeyCredParams: [
        { type: "public-key", alg: -7 },
        { type: "public-key", alg: -257 },
      ],
      timeout: 300_000,
      excludeCredentials: [],
      authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
      attestation: "none",
    });
    expect(decodeBase64Url(options.challenge)?.length).toBeGreaterThanOrEqual(16);
    const handle = decodeBase64Url(options.user.id);
    expect(handle?.length).toBeGreaterThanOrEqual(16);
    expect(options.user.id).not.toContain(admin.id);
    // Nothing is stored until a registration succeeds.
    expect(await userHandleOf(admin.id)).toBeNull();
  });

  it("give one user handle for all the admin's passkeys, and exclude the ones registered", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { device } = await registerPasskey(access_token);
    const options = await registrationOptions(access_token);
    expect(options.user.id).toBe(await userHandleOf(admin.id));
    expect(options.user.id).toBe(device.credentials[0]?.userHandle);
    expect(options.excludeCredentials).toEqual([{ type: "public-key", id: device.credentials[0]?.id, transports: ["hybrid", "internal"] }]);
    await registerPasskey(access_token);
    expect((await registrationOptions(access_token)).user.id).toBe(options.user.id);
  });

  it("need a bearer token", async () => {
    const response = await call(`${PREFIX}/passkeys/register/options`, { method: "POST" });
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Not authenticated"}']);
  });
});

describe("passkey registration", () => {
  it("stores the passkey and answers it as listed, named after its provider or Passkey", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { passkey } = await registerPasskey(access_token);
    expect(Object.keys(passkey)).toEqual(["id", "name", "created_at", "last_used_at", "backed_up", "transports"]);
    expect(passkey).toMatchObject({ name: "Passkey", last_used_at: null, backed_up: false, transports: ["hybrid", "internal"] });
    expect(passkey.id).not.toBe(authenticator().credentials[0]?.id);
    const second = await registerPasskey(access_token);
    expect(second.passkey.name).toBe("Passkey 2");
    const named = await registerPasskey(access_token, authenticator(), {}, "Work laptop");
    expect(named.passkey.name).toBe("Work laptop");
    expect(await auditTrail(admin.id)).toEqual(expect.arrayContaining([`passkey_registered:passkey:${passkey.id}`]));
  });

  it("stores what a sign-in needs, and no private material", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { passkey, device } = await registerPasskey(access_token);
    const row = await env.DB.prepare("SELECT * FROM passkeys WHERE id = ?").bind(passkey.id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ admin_id: admin.id, credential_id: device.credentials[0]?.id, counter: 0, aaguid: "5a5a5a5a-5a5a-5a5a-5a5a-5a5a5a5a5a5a" });
    expect(Object.keys(row ?? {}).sort()).toEqual(
      ["aaguid", "admin_id", "backed_up", "counter", "created_at", "credential_id", "id", "last_used_at", "name", "public_key", "transports"].sort(),
    );
    expect((await signInWith(device)).user).toMatchObject({ id: admin.id });
  });

  it("409 Passkey already registered for a credential id anyone registered, and nothing changes", async () => {
    const first = await loginAs(await createAdmin());
    const { device } = await registerPasskey(first.access_token);
    const credentialId = decodeBase64Url(device.credentials[0]?.id as string) as Uint8Array;
    for (const token of [first.access_token, (await loginAs(await createAdmin())).access_token]) {
      const response = await verifyRegistration(token, await authenticator().create(await registrationOptions(token), { credentialId }));
      expect([response.status, await response.text()]).toEqual([409, '{"detail":"Passkey already registered"}']);
    }
    expect(await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE credential_id = ?").bind(device.credentials[0]?.id).first("n")).toBe(1);
  });

  it("409 Too many passkeys past 10", async () => {
    const admin = await createAdmin();
    // Sessions of their own: one session's calls are capped per minute (SESSION_RATE_LIMITER).
    for (let i = 0; i < 10; i += 1) await registerPasskey((await loginAs(admin)).access_token);
    const { access_token } = await loginAs(admin);
    const response = await verifyRegistration(access_token, await authenticator().create(await registrationOptions(access_token)));
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"Too many passkeys"}']);
    expect(await passkeyCount(admin.id)).toBe(10);
  });

  it("409 for a name another of the admin's passkeys has", async () => {
    const { access_token } = await loginAs(await createAdmin());
    await registerPasskey(access_token, authenticator(), {}, "Phone");
    const response = await verifyRegistration(access_token, await authenticator().create(await registrationOptions(access_token)), "Phone");
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"Passkey name already in use"}']);
  });
});

describe("passkey registration refusals: 400 Invalid passkey registration, nothing stored", () => {
  it.each([
    ["type webauthn.get", { type: "webauthn.get" }],
    ["an origin not in WEBAUTHN_ORIGINS", { origin: "https://evil.example" }],
    ["an RP id hash other than WEBAUTHN_RP_ID's", { rpId: "evil.example" }],
    ["no user presence", { flags: { up: false } }],
    ["no user verification", { flags: { uv: false } }],
    ["an algorithm outside the offered list (EdDSA)", { alg: -8 }],
    ["a malformed attestation object", { malformedAttestation: true }],
    ["id and rawId that differ", { rawId: encodeBase64Url(new Uint8Array(16)) }],
  ] as const)("%s", async (_name, knobs) => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const response = await verifyRegistration(access_token, await authenticator().create(await registrationOptions(access_token), knobs));
    expect([response.status, await response.text()]).toEqual([400, INVALID_REGISTRATION]);
    expect(await passkeyCount(admin.id)).toBe(0);
    expect(await userHandleOf(admin.id)).toBeNull();
  });

  it("a challenge that options did not issue", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const options = await registrationOptions(access_token);
    const forged = { ...options, challenge: encodeBase64Url(crypto.getRandomValues(new Uint8Array(86))) };
    const response = await verifyRegistration(access_token, await authenticator().create(forged));
    expect([response.status, await response.text()]).toEqual([400, INVALID_REGISTRATION]);
    // A sign-in challenge is not a registration challenge.
    const signIn = await (await call(`${PREFIX}/passkeys/login/options`, { method: "POST" })).json<{ challenge: string }>();
    const crossed = await verifyRegistration(access_token, await authenticator().create({ ...options, challenge: signIn.challenge }));
    expect(crossed.status).toBe(400);
  });

  it("another admin's challenge", async () => {
    const mine = await loginAs(await createAdmin());
    const theirs = await loginAs(await createAdmin());
    const options = await registrationOptions(theirs.access_token);
    const response = await verifyRegistration(mine.access_token, await authenticator().create(options));
    expect([response.status, await response.text()]).toEqual([400, INVALID_REGISTRATION]);
  });

  it("a challenge older than 5 minutes", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const registration = await authenticator().create(await registrationOptions(access_token));
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 301_000 });
    try {
      const response = await verifyRegistration(access_token, registration);
      expect([response.status, await response.text()]).toEqual([400, INVALID_REGISTRATION]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a challenge already used, by a success or by a failure", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const options = await registrationOptions(access_token);
    expect((await verifyRegistration(access_token, await authenticator().create(options))).status).toBe(200);
    const again = await verifyRegistration(access_token, await authenticator().create(options));
    expect([again.status, await again.text()]).toEqual([400, INVALID_REGISTRATION]);

    const failed = await registrationOptions(access_token);
    expect((await verifyRegistration(access_token, await authenticator().create(failed, { flags: { uv: false } }))).status).toBe(400);
    const retried = await verifyRegistration(access_token, await authenticator().create(failed));
    expect([retried.status, await retried.text()]).toEqual([400, INVALID_REGISTRATION]);
    expect(await passkeyCount(admin.id)).toBe(1);
  });

  it("two options proposing two user handles: the first registration fixes the handle, the other is refused", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const first = await registrationOptions(access_token);
    const second = await registrationOptions(access_token);
    expect(first.user.id).not.toBe(second.user.id);
    expect((await verifyRegistration(access_token, await authenticator().create(second))).status).toBe(200);
    const response = await verifyRegistration(access_token, await authenticator().create(first));
    expect([response.status, await response.text()]).toEqual([400, INVALID_REGISTRATION]);
    expect(await userHandleOf(admin.id)).toBe(second.user.id);
  });
});

describe("passkey registration body", () => {
  it("follows pydantic: response an object, name a string of at most 64 characters or null", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const send = (body: unknown) => postJson(`${PREFIX}/passkeys/register/verify`, body, bearer(access_token));
    const cases: [unknown, string][] = [
      [{}, '{"detail":[{"type":"missing","loc":["body","response"],"msg":"Field required","input":{}}]}'],
      [
        { response: "x", name: 5 },
        '{"detail":[{"type":"dict_type","loc":["body","response"],"msg":"Input should be a valid dictionary","input":"x"},{"type":"string_type","loc":["body","name"],"msg":"Input should be a valid string","input":5}]}',
      ],
      [
        { name: "x".repeat(65), response: {} },
        `{"detail":[{"type":"string_too_long","loc":["body","name"],"msg":"String should have at most 64 characters","input":"${"x".repeat(65)}","ctx":{"max_length":64}}]}`,
      ],
    ];
    for (const [body, expected] of cases) {
      const response = await send(body);
      expect([response.status, await response.text()]).toEqual([422, expected]);
    }
    // 64 code points is within the limit, however many UTF-16 units.
    const emoji = await send({ response: {}, name: "😀".repeat(64) });
    expect(emoji.status).toBe(400);
  });

  it("answers a dead session's 401 before the body's 422", async () => {
    const tokens = await loginAs(await createAdmin());
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    const response = await postJson(`${PREFIX}/passkeys/register/verify`, {}, bearer(tokens.access_token));
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
  });
});
