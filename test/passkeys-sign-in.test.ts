import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { auditTrail, enrol, failuresOf } from "./support/mfa.ts";
import {
  adminWithPasskey,
  assertion,
  authenticator,
  passkeyRow,
  registerPasskey,
  sessionCount,
  signInOptions,
  signInWith,
  verifySignIn,
} from "./support/passkeys.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

const INVALID_PASSKEY = '{"detail":"Invalid passkey"}';

// The first passkey route loads @simplewebauthn/server through Vite's transform: slow once, on a busy machine.
beforeAll(() => import("@simplewebauthn/server"), 60_000);

async function expectInvalid(response: Response) {
  expect([response.status, await response.text()]).toEqual([401, INVALID_PASSKEY]);
}

describe("passkey sign-in options", () => {
  it("asks for a discoverable credential with user verification: no email asked, none revealed", async () => {
    const response = await call(`${PREFIX}/passkeys/login/options`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const options = await response.json<Record<string, unknown>>();
    expect(options).toEqual({ challenge: expect.any(String), rpId: env.WEBAUTHN_RP_ID, timeout: 300_000, userVerification: "required", allowCredentials: [] });
    const challenge = Uint8Array.from(atob((options.challenge as string).replaceAll("-", "+").replaceAll("_", "/")), (char) => char.charCodeAt(0));
    expect(challenge.length).toBeGreaterThanOrEqual(16);
  });

  it("ignores a body", async () => {
    const response = await call(`${PREFIX}/passkeys/login/options`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(response.status).toBe(200);
  });

  it("writes nothing to D1 or KV", async () => {
    const count = async () => {
      const tables = ["admins", "sessions", "passkeys", "webauthn_challenges", "audit_events", "login_throttle", "recovery_codes"];
      const rows = await Promise.all(tables.map((table) => env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>()));
      const keys = await env.REVOCATIONS.list();
      return { rows: rows.map((row) => row?.n), keys: keys.keys.length };
    };
    const before = await count();
    for (let i = 0; i < 5; i += 1) await signInOptions();
    expect(await count()).toEqual(before);
  });

  it("is limited per client IP like login", async () => {
    const ip = "198.18.200.1";
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1)
      statuses.push((await call(`${PREFIX}/passkeys/login/options`, { method: "POST", headers: { "cf-connecting-ip": ip } })).status);
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    const refused = await call(`${PREFIX}/passkeys/login/options`, { method: "POST", headers: { "cf-connecting-ip": ip } });
    expect([refused.headers.get("retry-after"), await refused.text()]).toEqual(["60", '{"detail":"Too many login attempts. Try again later."}']);
  });
});

describe("passkey sign-in", () => {
  it("answers exactly login's 200, with amr pop and mfa and a recent auth_time", async () => {
    const admin = await createAdmin();
    const { device, passkey } = await adminWithPasskey(admin);
    const response = await verifySignIn(await assertion(device));
    expect(response.status).toBe(200);
    expect([response.headers.get("cache-control"), response.headers.get("pragma")]).toEqual(["no-store", "no-cache"]);
    const body = await response.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(["access_token", "refresh_token", "token_type", "expires_in", "user"]);
    expect(Object.keys(body.user as object)).toEqual([
      "id",
      "email",
      "name",
      "role",
      "is_active",
      "created_at",
      "last_login_at",
      "mfa_enabled",
      "passkey_only",
    ]);
    expect(body.user).toMatchObject({ id: admin.id, email: admin.email, passkey_only: false });
    for (const token of [body.access_token, body.refresh_token] as string[]) {
      const claims = decodeJwt(token);
      expect(claims.amr).toEqual(["pop", "mfa"]);
      expect(Math.abs(Number(claims.auth_time) - Date.now() / 1000)).toBeLessThan(5);
    }
    const stored = await passkeyRow(passkey.id);
    expect(stored?.counter).toBe(1);
    expect(stored?.last_used_at).toBeGreaterThan(0);
    expect(await auditTrail(admin.id)).toContain("login_succeeded:passkey");
  });

  it("opens an ordinary session: refresh keeps amr and auth_time, /me, /sessions and logout work", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    const tokens = await signInWith(device);
    const refreshed = await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const { access_token } = await refreshed.json<{ access_token: string }>();
    expect(decodeJwt(access_token)).toMatchObject({ amr: ["pop", "mfa"], auth_time: decodeJwt(tokens.access_token).auth_time });
    expect((await call(`${PREFIX}/me`, { headers: bearer(access_token) })).status).toBe(200);
    const sessions = await (await call(`${PREFIX}/sessions`, { headers: bearer(access_token) })).json<{ current: boolean; amr: string[] }[]>();
    expect(sessions.find((session) => session.current)?.amr).toEqual(["pop", "mfa"]);
    expect((await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(access_token) })).status).toBe(200);
    expect((await call(`${PREFIX}/me`, { headers: bearer(access_token) })).status).toBe(401);
  });

  it("skips the TOTP code of an admin with MFA", async () => {
    const admin = await createAdmin();
    const { accessToken } = await enrol(admin);
    const { device } = await registerPasskey(accessToken);
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password })).status).toBe(401);
    const tokens = await signInWith(device);
    expect(tokens.user).toMatchObject({ mfa_enabled: true });
    expect(decodeJwt(tokens.access_token).amr).toEqual(["pop", "mfa"]);
  });

  it("is not blocked by the email's password lockout", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    for (let i = 0; i < 6; i += 1) await postJson(`${PREFIX}/login`, { email: admin.email, password: "wrong" });
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password })).status).toBe(429);
    expect((await signInWith(device)).access_token).toBeTruthy();
    expect(await failuresOf(admin.email)).toBeGreaterThan(0);
  });

  it("answers 403 Account disabled, only to the holder of the passkey", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    await env.DB.prepare("UPDATE admins SET is_active = 0 WHERE id = ?").bind(admin.id).run();
    const response = await verifySignIn(await assertion(device));
    expect([response.status, await response.text()]).toEqual([403, '{"detail":"Account disabled"}']);
    await expectInvalid(await verifySignIn(await assertion(device, { foreignKey: true })));
  });

  it("tells a replay of a disabled admin's used assertion nothing, and writes one audit row for the assertion", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    await env.DB.prepare("UPDATE admins SET is_active = 0 WHERE id = ?").bind(admin.id).run();
    const used = await assertion(device);
    expect((await verifySignIn(used)).status).toBe(403);
    await expectInvalid(await verifySignIn(used));
    await expectInvalid(await verifySignIn(used));
    expect((await auditTrail(admin.id)).filter((event) => event.startsWith("login_failed"))).toEqual(["login_failed:account_disabled"]);
  });

  it("counts every verify toward the per-IP limit, failures included", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    const ip = "198.18.201.1";
    for (let i = 0; i < 10; i += 1) await verifySignIn(await assertion(device, { foreignKey: true }), { "cf-connecting-ip": ip });
    const refused = await verifySignIn(await assertion(device), { "cf-connecting-ip": ip });
    expect(refused.status).toBe(429);
  });

  it("counts a failed verify on the client's hourly tally (per IPv6 /48), never in the passkey owner's audit log", async () => {
    const admin = await createAdmin();
    const { device } = await adminWithPasskey(admin);
    const eventsBefore = await auditTrail(admin.id);
    const unknown = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    await expectInvalid(await verifySignIn(await assertion(device, { foreignKey: true }), { "cf-connecting-ip": "2001:db8:5eed:1::1" }));
    await expectInvalid(await verifySignIn(await assertion(device, { id: unknown, rawId: unknown }), { "cf-connecting-ip": "2001:db8:5eed:2::1" }));
    const tally = await env.DB.prepare("SELECT failures, passkey_failures FROM unknown_email_attempts WHERE client = ?").bind("2001:db8:5eed::/48").all();
    expect(tally.results).toEqual([{ failures: 0, passkey_failures: 2 }]);
    expect(await auditTrail(admin.id)).toEqual(eventsBefore);
  });
});

describe("passkey sign-in refusals: 401 Invalid passkey, no session", () => {
  async function setup() {
    const admin = await createAdmin();
    const { device, passkey } = await adminWithPasskey(admin);
    return { admin, device, passkey };
  }

  it.each([
    ["an origin not in WEBAUTHN_ORIGINS", { origin: "https://evil.example" }],
    ["an RP id hash other than WEBAUTHN_RP_ID's", { rpId: "evil.example" }],
    ["type webauthn.create", { type: "webauthn.create" }],
    ["no user presence", { flags: { up: false } }],
    ["no user verification", { flags: { uv: false } }],
    ["a signature by another key", { foreignKey: true }],
    ["another credential's user handle", { userHandle: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))) }],
  ] as const)("%s", async (_name, knobs) => {
    const { admin, device } = await setup();
    await expectInvalid(await verifySignIn(await assertion(device, knobs)));
    expect(await sessionCount(admin.id)).toBe(1);
  });

  it("a signature that does not verify is the library's verified:false, refused (not a throw)", async () => {
    const { admin, device, passkey } = await setup();
    const before = await passkeyRow(passkey.id);
    await expectInvalid(await verifySignIn(await assertion(device, { foreignKey: true })));
    expect(await passkeyRow(passkey.id)).toEqual(before);
    expect(await sessionCount(admin.id)).toBe(1);
  });

  it("an unknown credential id", async () => {
    const { device } = await setup();
    const unknown = encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
    await expectInvalid(await verifySignIn(await assertion(device, { id: unknown, rawId: unknown })));
  });

  it("response.id naming another admin's passkey, signed by this one's key: rawId and id must name the stored credential", async () => {
    const { device } = await setup();
    const other = await setup();
    const otherCredential = (await passkeyRow(other.passkey.id))?.credential_id as string;
    await expectInvalid(await verifySignIn(await assertion(device, { id: otherCredential, rawId: otherCredential })));
    await expectInvalid(await verifySignIn(await assertion(device, { id: otherCredential })));
    const mine = device.credentials[0]?.id as string;
    await expectInvalid(await verifySignIn(await assertion(device, { rawId: encodeBase64Url(new Uint8Array(16)), id: mine })));
  });

  it("a userHandle left out is fine (it is optional for the client), one present must be the owner's", async () => {
    const { device } = await setup();
    expect((await verifySignIn(await assertion(device, { userHandle: null }))).status).toBe(200);
    const other = await setup();
    const othersHandle = other.device.credentials[0]?.userHandle as string;
    await expectInvalid(await verifySignIn(await assertion(device, { userHandle: othersHandle })));
  });

  it("a challenge that options did not issue", async () => {
    const { device } = await setup();
    const forged = encodeBase64Url(crypto.getRandomValues(new Uint8Array(70)));
    await expectInvalid(await verifySignIn(await assertion(device, { challenge: forged })));
    // A registration challenge is not a sign-in challenge.
    const registration = await (
      await call(`${PREFIX}/passkeys/register/options`, { method: "POST", headers: bearer((await loginAs(await createAdmin())).access_token) })
    ).json<{ challenge: string }>();
    await expectInvalid(await verifySignIn(await assertion(device, { challenge: registration.challenge })));
  });

  it("a challenge older than 5 minutes", async () => {
    const { device } = await setup();
    const options = await signInOptions();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 301_000 });
    try {
      await expectInvalid(await verifySignIn(await device.get(options)));
    } finally {
      vi.useRealTimers();
    }
  });

  it("a challenge already used", async () => {
    const { device } = await setup();
    const options = await signInOptions();
    expect((await verifySignIn(await device.get(options))).status).toBe(200);
    await expectInvalid(await verifySignIn(await device.get(options)));
  });

  it("a counter not above the stored one: a cloned authenticator, audited", async () => {
    const { admin, device, passkey } = await setup();
    await signInWith(device);
    await signInWith(device);
    expect((await passkeyRow(passkey.id))?.counter).toBe(2);
    await expectInvalid(await verifySignIn(await assertion(device, { signCount: 2 })));
    await expectInvalid(await verifySignIn(await assertion(device, { signCount: 1 })));
    await expectInvalid(await verifySignIn(await assertion(device, { signCount: 0 })));
    expect((await auditTrail(admin.id)).filter((event) => event.startsWith("passkey_counter_regressed"))).toHaveLength(3);
    expect((await passkeyRow(passkey.id))?.counter).toBe(2);
  });

  it("a replay of a used assertion is refused, but raises no clone alarm: its counter is the one its first use stored", async () => {
    const { admin, device } = await setup();
    const used = await assertion(device);
    expect((await verifySignIn(used)).status).toBe(200);
    for (let replay = 0; replay < 3; replay += 1) await expectInvalid(await verifySignIn(used));
    expect((await auditTrail(admin.id)).filter((event) => event.startsWith("passkey_counter_regressed"))).toEqual([]);
  });

  it("a synced passkey that stored 0 and reports 0 is fine", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { device, passkey } = await registerPasskey(access_token, authenticator(), { backedUp: true });
    expect(passkey.backed_up).toBe(true);
    await signInWith(device);
    await signInWith(device);
    expect((await passkeyRow(passkey.id))?.counter).toBe(0);
  });

  it("a body that is not an assertion at all", async () => {
    for (const response of [{}, { id: "x" }, { id: "x", rawId: "x", response: { clientDataJSON: "!!" } }]) {
      await expectInvalid(await verifySignIn(response));
    }
  });
});

describe("passkey sign-in body", () => {
  it("follows pydantic: response must be an object", async () => {
    const missing = await postJson(`${PREFIX}/passkeys/login/verify`, {});
    expect([missing.status, await missing.text()]).toEqual([
      422,
      '{"detail":[{"type":"missing","loc":["body","response"],"msg":"Field required","input":{}}]}',
    ]);
    const list = await postJson(`${PREFIX}/passkeys/login/verify`, { response: [] });
    expect([list.status, await list.text()]).toEqual([
      422,
      '{"detail":[{"type":"dict_type","loc":["body","response"],"msg":"Input should be a valid dictionary","input":[]}]}',
    ]);
  });
});
