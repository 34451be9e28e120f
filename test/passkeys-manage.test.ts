import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { auditTrail } from "./support/mfa.ts";
import { adminWithPasskey, assertion, type RegisteredPasskey, registerPasskey, signInWith, verifySignIn } from "./support/passkeys.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

// The first passkey route loads @simplewebauthn/server through Vite's transform: slow once, on a busy machine.
beforeAll(() => import("@simplewebauthn/server"), 60_000);

const list = (token: string) => call(`${PREFIX}/passkeys`, { headers: bearer(token) });
const rename = (token: string, id: string, body: unknown) =>
  call(`${PREFIX}/passkeys/${id}`, { method: "PATCH", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify(body) });
const remove = (token: string, id: string) => call(`${PREFIX}/passkeys/${id}`, { method: "DELETE", headers: bearer(token) });
const only = (token: string, enabled: unknown) => postJson(`${PREFIX}/passkeys/only`, { enabled }, bearer(token));
const me = (token: string) => call(`${PREFIX}/me`, { headers: bearer(token) });

describe("GET /passkeys", () => {
  it("lists the caller's passkeys, newest first, never cached, without key material", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const first = await registerPasskey(access_token);
    const second = await registerPasskey(access_token);
    await registerPasskey((await loginAs(await createAdmin())).access_token);
    await signInWith(first.device);
    const response = await list(access_token);
    expect([response.status, response.headers.get("cache-control")]).toEqual([200, "no-store"]);
    const body = await response.json<RegisteredPasskey[]>();
    expect(body.map((passkey) => passkey.id)).toEqual([second.passkey.id, first.passkey.id]);
    expect(Object.keys(body[0] ?? {})).toEqual(["id", "name", "created_at", "last_used_at", "backed_up", "transports"]);
    expect(body[1]?.last_used_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await (await list((await loginAs(await createAdmin())).access_token)).json()).toEqual([]);
  });

  it("needs a live session", async () => {
    const tokens = await loginAs(await createAdmin());
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    expect((await list(tokens.access_token)).status).toBe(401);
    expect((await call(`${PREFIX}/passkeys`)).status).toBe(401);
  });
});

describe("PATCH /passkeys/{id}", () => {
  it("renames the passkey and answers it", async () => {
    const admin = await createAdmin();
    const { login, passkey } = await adminWithPasskey(admin);
    const response = await rename(login.access_token, passkey.id, { name: "YubiKey 5C" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...passkey, name: "YubiKey 5C" });
    expect(await auditTrail(admin.id)).toContain(`passkey_renamed:passkey:${passkey.id}`);
    // Its own name again is no conflict.
    expect((await rename(login.access_token, passkey.id, { name: "YubiKey 5C" })).status).toBe(200);
  });

  it("404 for an unknown passkey or another admin's, 409 for a name taken", async () => {
    const { login, passkey } = await adminWithPasskey(await createAdmin());
    const other = await adminWithPasskey(await createAdmin());
    for (const id of ["unknown", other.passkey.id]) {
      const response = await rename(login.access_token, id, { name: "Mine" });
      expect([response.status, await response.text()]).toEqual([404, '{"detail":"Not Found"}']);
    }
    const { passkey: second } = await registerPasskey(login.access_token, undefined, {}, "Laptop");
    const taken = await rename(login.access_token, passkey.id, { name: second.name });
    expect([taken.status, await taken.text()]).toEqual([409, '{"detail":"Passkey name already in use"}']);
    // Another admin's passkey with a name this admin has is still 404: nothing about it is revealed.
    expect((await rename(login.access_token, other.passkey.id, { name: "Laptop" })).status).toBe(404);
  });

  it("follows pydantic for the name: 1 to 64 characters", async () => {
    const { login, passkey } = await adminWithPasskey(await createAdmin());
    const cases: [unknown, string][] = [
      [{}, '{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{}}]}'],
      [
        { name: "" },
        '{"detail":[{"type":"string_too_short","loc":["body","name"],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1}}]}',
      ],
      [{ name: null }, '{"detail":[{"type":"string_type","loc":["body","name"],"msg":"Input should be a valid string","input":null}]}'],
    ];
    for (const [body, expected] of cases) {
      const response = await rename(login.access_token, passkey.id, body);
      expect([response.status, await response.text()]).toEqual([422, expected]);
    }
  });
});

describe("DELETE /passkeys/{id}", () => {
  it("removes the passkey and revokes the sessions it opened, the caller's own included", async () => {
    const admin = await createAdmin();
    const { login, passkey, device } = await adminWithPasskey(admin);
    const opened = await signInWith(device);
    const response = await remove(opened.access_token, passkey.id);
    expect([response.status, await response.text()]).toEqual([200, '{"message":"Passkey removed"}']);
    expect((await me(opened.access_token)).status).toBe(401);
    expect(await env.REVOCATIONS.get(`revoked-session:${decodeJwt(opened.access_token).sid}`)).toBe("passkey_removed");
    // The password session it did not open stays.
    expect((await me(login.access_token)).status).toBe(200);
    expect(await auditTrail(admin.id)).toContain(`passkey_removed:passkey:${passkey.id}`);
    expect((await verifySignIn(await assertion(device))).status).toBe(401);
  });

  it("404 for an unknown passkey or another admin's", async () => {
    const { login } = await adminWithPasskey(await createAdmin());
    const other = await adminWithPasskey(await createAdmin());
    for (const id of ["unknown", other.passkey.id]) {
      const response = await remove(login.access_token, id);
      expect([response.status, await response.text()]).toEqual([404, '{"detail":"Not Found"}']);
    }
    expect((await list(other.login.access_token)).status).toBe(200);
  });

  it("409 for the last passkey of a passkey-only account", async () => {
    const { login, passkey } = await adminWithPasskey(await createAdmin());
    const { passkey: second } = await registerPasskey(login.access_token);
    expect((await only(login.access_token, true)).status).toBe(200);
    expect((await remove(login.access_token, second.id)).status).toBe(200);
    const last = await remove(login.access_token, passkey.id);
    expect([last.status, await last.text()]).toEqual([409, '{"detail":"Last passkey of a passkey-only account"}']);
  });
});

describe("POST /passkeys/only", () => {
  it("turns passkey-only on: password login then answers Passkey required, other sessions end, the caller's stays", async () => {
    const admin = await createAdmin();
    const { login, device } = await adminWithPasskey(admin);
    const other = await loginAs(admin);
    const response = await only(login.access_token, true);
    expect([response.status, await response.text()]).toEqual([200, '{"passkey_only":true}']);
    expect((await me(login.access_token)).status).toBe(200);
    expect((await me(other.access_token)).status).toBe(401);
    expect(await env.REVOCATIONS.get(`revoked-session:${decodeJwt(other.access_token).sid}`)).toBe("passkey_only_enabled");
    const password = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
    expect([password.status, await password.text()]).toEqual([401, '{"detail":"Passkey required"}']);
    const wrong = await postJson(`${PREFIX}/login`, { email: admin.email, password: "wrong" });
    expect([wrong.status, await wrong.text()]).toEqual([401, '{"detail":"Incorrect email or password"}']);
    const tokens = await signInWith(device);
    expect(tokens.user).toMatchObject({ passkey_only: true });
    expect(await (await me(tokens.access_token)).json()).toMatchObject({ passkey_only: true });
    expect(await auditTrail(admin.id)).toContain("passkey_only_enabled");
  });

  it("Passkey required is no failure: it does not count toward the lockout", async () => {
    const admin = await createAdmin();
    const { login } = await adminWithPasskey(admin);
    await only(login.access_token, true);
    for (let i = 0; i < 7; i += 1) {
      const response = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
      expect(response.status).toBe(401);
    }
    expect(await env.DB.prepare("SELECT failures FROM login_throttle WHERE email = ?").bind(admin.email.toLowerCase()).first("failures")).toBeNull();
  });

  it("turns it off again: the password signs in", async () => {
    const admin = await createAdmin();
    const { login } = await adminWithPasskey(admin);
    await only(login.access_token, true);
    const response = await only(login.access_token, false);
    expect([response.status, await response.text()]).toEqual([200, '{"passkey_only":false}']);
    expect((await loginAs(admin)).user).toMatchObject({ passkey_only: false });
    expect(await auditTrail(admin.id)).toContain("passkey_only_disabled");
  });

  it("409 No passkey registered, to turn it on without one", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const response = await only(access_token, true);
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"No passkey registered"}']);
    expect((await only(access_token, false)).status).toBe(200);
  });

  it("reads enabled as pydantic's bool", async () => {
    const { login } = await adminWithPasskey(await createAdmin());
    for (const [value, expected] of [
      ["yes", true],
      ["OFF", false],
      [1, true],
      [0, false],
    ] as const) {
      expect(await (await only(login.access_token, value)).json()).toEqual({ passkey_only: expected });
    }
    const cases: [unknown, string][] = [
      [
        "maybe",
        '{"detail":[{"type":"bool_parsing","loc":["body","enabled"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}',
      ],
      [2, '{"detail":[{"type":"bool_parsing","loc":["body","enabled"],"msg":"Input should be a valid boolean, unable to interpret input","input":2}]}'],
      [null, '{"detail":[{"type":"bool_type","loc":["body","enabled"],"msg":"Input should be a valid boolean","input":null}]}'],
      [0.5, '{"detail":[{"type":"bool_type","loc":["body","enabled"],"msg":"Input should be a valid boolean","input":0.5}]}'],
      [[], '{"detail":[{"type":"bool_type","loc":["body","enabled"],"msg":"Input should be a valid boolean","input":[]}]}'],
    ];
    for (const [value, expected] of cases) {
      const response = await only(login.access_token, value);
      expect([response.status, await response.text()]).toEqual([422, expected]);
    }
    const missing = await postJson(`${PREFIX}/passkeys/only`, {}, bearer(login.access_token));
    expect(await missing.text()).toBe('{"detail":[{"type":"missing","loc":["body","enabled"],"msg":"Field required","input":{}}]}');
  });
});

describe("per-session limit", () => {
  it("caps the calls of one session to the passkey routes that write, as the other bearer routes that write", async () => {
    const { login, passkey } = await adminWithPasskey(await createAdmin());
    const statuses: number[] = [];
    for (let i = 0; i < 21; i += 1) statuses.push((await rename(login.access_token, passkey.id, { name: `Name ${i}` })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const refused = await only(login.access_token, false);
    expect([refused.status, await refused.text()]).toEqual([429, '{"detail":"Too many login attempts. Try again later."}']);
  });
});

describe("passkey routes and methods", () => {
  it("answers 405 with Allow for a method a path does not have, as Starlette", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const get = await call(`${PREFIX}/passkeys/only`, { headers: bearer(access_token) });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    const post = await call(`${PREFIX}/passkeys/some-id`, { method: "POST", headers: bearer(access_token) });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "PATCH, DELETE"]);
    const list = await call(`${PREFIX}/passkeys`, { method: "POST", headers: bearer(access_token) });
    expect([list.status, list.headers.get("allow")]).toEqual([405, "GET"]);
    // /passkeys/{id} also matches "only": DELETE goes there, and finds no such passkey.
    expect((await remove(access_token, "only")).status).toBe(404);
  });
});
