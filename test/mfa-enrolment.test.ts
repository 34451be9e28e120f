import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { advanceSteps, auditTrail, decodeBase32, enrol, failuresOf, freezeClock, totpCode } from "./support/mfa.ts";
import { forgeToken } from "./support/tokens.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson, type TestAdmin } from "./support/worker.ts";

const INVALID_CODE = '{"detail":"Invalid MFA code"}';

beforeEach(freezeClock);
afterEach(() => vi.useRealTimers());

function setup(accessToken: string, init: RequestInit = {}): Promise<Response> {
  return call(`${PREFIX}/mfa/totp/setup`, { method: "POST", ...init, headers: { ...bearer(accessToken), ...init.headers } });
}

function confirm(accessToken: string, code: unknown): Promise<Response> {
  return postJson(`${PREFIX}/mfa/totp/confirm`, { code }, bearer(accessToken));
}

function disable(accessToken: string, code: unknown): Promise<Response> {
  return postJson(`${PREFIX}/mfa/totp/disable`, { code }, bearer(accessToken));
}

function me(accessToken: string): Promise<Response> {
  return call(`${PREFIX}/me`, { headers: bearer(accessToken) });
}

async function adminRow(id: string) {
  return env.DB.prepare("SELECT totp_secret, totp_pending_secret, totp_last_step FROM admins WHERE id = ?").bind(id).first<{
    totp_secret: string | null;
    totp_pending_secret: string | null;
    totp_last_step: number | null;
  }>();
}

function loginWith(admin: TestAdmin, mfaCode?: string): Promise<Response> {
  return postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password, ...(mfaCode === undefined ? {} : { mfa_code: mfaCode }) });
}

describe("POST /mfa/totp/setup", () => {
  it("returns a pending base32 secret of 160 bits and its otpauth:// URI, never cached", async () => {
    const admin = await createAdmin({ email: `Setup+Admin-${crypto.randomUUID().slice(0, 6)}@example.com` });
    const { access_token } = await loginAs(admin);
    const response = await setup(access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = await response.json<{ secret: string; otpauth_uri: string }>();
    expect(Object.keys(body)).toEqual(["secret", "otpauth_uri"]);
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32(body.secret)).toHaveLength(20);
    const issuer = encodeURIComponent(env.MFA_ISSUER);
    expect(body.otpauth_uri).toBe(
      `otpauth://totp/${issuer}:${encodeURIComponent(admin.email)}?secret=${body.secret}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(body.otpauth_uri).toContain("%40example.com");
    // Pending changes nothing at login.
    const login = await loginWith(admin);
    expect(login.status).toBe(200);
    expect((await login.json<{ user: { mfa_enabled: boolean } }>()).user.mfa_enabled).toBe(false);
    expect(await auditTrail(admin.id)).toContain("mfa_setup_started");
  });

  it("replaces the pending secret when called again: only the latest one confirms", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const first = await (await setup(access_token)).json<{ secret: string }>();
    const second = await (await setup(access_token)).json<{ secret: string }>();
    expect(second.secret).not.toBe(first.secret);
    expect(await (await confirm(access_token, await totpCode(first.secret))).text()).toBe(INVALID_CODE);
    expect((await confirm(access_token, await totpCode(second.secret))).status).toBe(200);
  });

  it("ignores the body, and needs a valid access token of a live session, as /me does", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    expect((await setup(tokens.access_token, { body: "not json at all", headers: { "content-type": "text/plain" } })).status).toBe(200);
    const none = await call(`${PREFIX}/mfa/totp/setup`, { method: "POST" });
    expect([none.status, await none.text(), none.headers.get("www-authenticate")]).toEqual([401, '{"detail":"Not authenticated"}', "Bearer"]);
    for (const token of [tokens.refresh_token, await forgeToken({ claims: { sub: admin.id, sid: "no-such-session" } })]) {
      const response = await setup(token);
      expect([response.status, await response.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
    }
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    expect((await setup(tokens.access_token)).status).toBe(401);
    expect((await adminRow(admin.id))?.totp_secret).toBeNull();
  });

  it("is 409 once MFA is on", async () => {
    const admin = await createAdmin();
    const { accessToken } = await enrol(admin);
    const response = await setup(accessToken);
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"MFA already enabled"}']);
  });
});

describe("POST /mfa/totp/confirm", () => {
  it("turns MFA on with the app's code: ten recovery codes shown once, other sessions revoked, the caller's kept", async () => {
    const admin = await createAdmin();
    const other = await loginAs(admin);
    const caller = await loginAs(admin);
    const { secret } = await (await setup(caller.access_token)).json<{ secret: string }>();
    const response = await confirm(caller.access_token, await totpCode(secret));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json<{ recovery_codes: string[] }>();
    expect(Object.keys(body)).toEqual(["recovery_codes"]);
    expect(new Set(body.recovery_codes).size).toBe(10);
    for (const code of body.recovery_codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);

    expect((await me(other.access_token)).status).toBe(401);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: other.refresh_token })).status).toBe(401);
    const mine = await me(caller.access_token);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ mfa_enabled: true });
    const row = await adminRow(admin.id);
    expect(row?.totp_pending_secret).toBeNull();
    expect(row?.totp_secret).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const stored = await env.DB.prepare("SELECT code_hash FROM recovery_codes WHERE admin_id = ?").bind(admin.id).all();
    expect(stored.results).toHaveLength(10);
    expect(await auditTrail(admin.id)).toContain("mfa_enabled");
    expect(await env.REVOCATIONS.get(`revoked-session:${decodeJwt(other.access_token).sid}`)).toBe("mfa_enabled");

    // The code that confirmed is spent: it does not log in too.
    const reused = await loginWith(admin, await totpCode(secret));
    expect(await reused.text()).toBe(INVALID_CODE);
  });

  it("is 400 Invalid MFA code for a wrong code or without setup, each a failure for the admin's lockout", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const before = await failuresOf(admin.email);
    const withoutSetup = await confirm(access_token, "123456");
    expect([withoutSetup.status, await withoutSetup.text()]).toEqual([400, INVALID_CODE]);
    const { secret } = await (await setup(access_token)).json<{ secret: string }>();
    const good = await totpCode(secret);
    for (const code of [String((Number(good) + 1) % 1_000_000).padStart(6, "0"), "not a code", await totpCode(secret, Date.now(), 2)]) {
      const response = await confirm(access_token, code);
      expect([response.status, await response.text()]).toEqual([400, INVALID_CODE]);
    }
    expect(await failuresOf(admin.email)).toBe(before + 4);
    expect((await auditTrail(admin.id)).filter((event) => event === "mfa_code_rejected:confirm")).toHaveLength(4);
    expect((await me(access_token)).status).toBe(200);
  });

  it("cannot be guessed at with a stolen access token: the fifth wrong code locks the email, at login too", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { secret } = await (await setup(access_token)).json<{ secret: string }>();
    for (let i = 0; i < 5; i++) expect((await confirm(access_token, "000000")).status).toBe(400);
    const locked = await confirm(access_token, await totpCode(secret));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await loginWith(admin)).status).toBe(429);
    expect(await auditTrail(admin.id)).toContain("login_locked_out");
  });

  it("a right code takes back its own count: it is no failure and resets nothing", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    await postJson(`${PREFIX}/login`, { email: admin.email, password: "wrong" });
    const { secret } = await (await setup(access_token)).json<{ secret: string }>();
    expect((await confirm(access_token, await totpCode(secret))).status).toBe(200);
    expect(await failuresOf(admin.email)).toBe(1);
  });

  it("is 409 when MFA is already on, and that is no failure", async () => {
    const admin = await createAdmin();
    const { accessToken } = await enrol(admin);
    const before = await failuresOf(admin.email);
    const response = await confirm(accessToken, "123456");
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"MFA already enabled"}']);
    expect(await failuresOf(admin.email)).toBe(before);
  });

  it("answers bad bodies as FastAPI does", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const cases: [unknown, string][] = [
      [{}, '{"detail":[{"type":"missing","loc":["body","code"],"msg":"Field required","input":{}}]}'],
      [{ code: 123456 }, '{"detail":[{"type":"string_type","loc":["body","code"],"msg":"Input should be a valid string","input":123456}]}'],
      [{ code: null }, '{"detail":[{"type":"string_type","loc":["body","code"],"msg":"Input should be a valid string","input":null}]}'],
    ];
    for (const [body, expected] of cases) {
      for (const route of ["confirm", "disable"]) {
        const response = await postJson(`${PREFIX}/mfa/totp/${route}`, body, bearer(access_token));
        expect([response.status, await response.text()]).toEqual([422, expected]);
      }
    }
    const empty = await call(`${PREFIX}/mfa/totp/confirm`, { method: "POST", headers: bearer(access_token) });
    expect(await empty.text()).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
    const unauthenticated = await postJson(`${PREFIX}/mfa/totp/confirm`, {});
    expect([unauthenticated.status, await unauthenticated.text()]).toEqual([401, '{"detail":"Not authenticated"}']);
  });
});

describe("confirm and disable check in FastAPI's order: malformed JSON, then the bearer token and its session, then the body", () => {
  const malformed = { body: '{"code":', headers: { "content-type": "application/json" } };
  const JSON_INVALID = '{"detail":[{"type":"json_invalid","loc":["body",8],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting value"}}]}';

  it.each(["confirm", "disable"])("%s: malformed JSON is 422 before any token is looked at", async (route) => {
    for (const headers of [{}, { authorization: "Bearer garbage" }] as Record<string, string>[]) {
      const response = await call(`${PREFIX}/mfa/totp/${route}`, { method: "POST", ...malformed, headers: { ...malformed.headers, ...headers } });
      expect([response.status, await response.text()]).toEqual([422, JSON_INVALID]);
    }
  });

  it.each(["confirm", "disable"])("%s: a body over 64 KiB is 413, declared or streamed, before anything else", async (route) => {
    const declared = await call(`${PREFIX}/mfa/totp/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(64 * 1024 + 1) },
      body: "x".repeat(64 * 1024 + 1),
    });
    const streamed = await call(`${PREFIX}/mfa/totp/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer garbage" },
      body: new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024).fill(32)) }),
    });
    for (const response of [declared, streamed]) expect([response.status, await response.text()]).toEqual([413, '{"detail":"Request body too large"}']);
  });

  it.each(["confirm", "disable"])("%s: a revoked session is 401 before its body's field errors", async (route) => {
    const tokens = await loginAs(await createAdmin());
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    const bodies: RequestInit[] = [
      { body: "{}", headers: { "content-type": "application/json" } },
      { body: '{"code":1}', headers: { "content-type": "application/json" } },
      { body: "[1]", headers: { "content-type": "application/json" } },
      { body: "code=123456", headers: { "content-type": "application/x-www-form-urlencoded" } },
      {},
    ];
    for (const init of bodies) {
      const response = await call(`${PREFIX}/mfa/totp/${route}`, { method: "POST", ...init, headers: { ...init.headers, ...bearer(tokens.access_token) } });
      expect([response.status, await response.text(), response.headers.get("www-authenticate")]).toEqual([
        401,
        '{"detail":"Could not validate credentials"}',
        "Bearer",
      ]);
    }
    const noToken = await postJson(`${PREFIX}/mfa/totp/${route}`, {});
    expect([noToken.status, await noToken.text()]).toEqual([401, '{"detail":"Not authenticated"}']);
  });
});

describe("POST /mfa/totp/disable", () => {
  it("turns MFA off with the app's code: the password alone logs in again, other sessions revoked, codes gone", async () => {
    const admin = await createAdmin();
    const { secret, accessToken } = await enrol(admin);
    advanceSteps(1);
    const other = await (await loginWith(admin, await totpCode(secret))).json<{ access_token: string }>();
    advanceSteps(1);
    const response = await disable(accessToken, await totpCode(secret));
    expect([response.status, await response.text()]).toEqual([200, '{"message":"MFA disabled"}']);
    expect((await me(other.access_token)).status).toBe(401);
    expect(await (await me(accessToken)).json()).toMatchObject({ mfa_enabled: false });
    expect(await adminRow(admin.id)).toEqual({ totp_secret: null, totp_pending_secret: null, totp_last_step: null });
    expect((await env.DB.prepare("SELECT count(*) AS n FROM recovery_codes WHERE admin_id = ?").bind(admin.id).first())?.n).toBe(0);
    const login = await loginWith(admin);
    expect(login.status).toBe(200);
    expect((await auditTrail(admin.id)).at(-2)).toBe("mfa_disabled");
  });

  it("takes a recovery code instead", async () => {
    const admin = await createAdmin();
    const { recoveryCodes, accessToken } = await enrol(admin);
    const response = await disable(accessToken, recoveryCodes[3]?.toUpperCase());
    expect(response.status).toBe(200);
    const audit = await auditTrail(admin.id);
    expect(audit).toEqual(expect.arrayContaining(["mfa_disabled", "mfa_recovery_code_used"]));
  });

  it("is 400 Invalid MFA code for a wrong, spent or unknown code, each a failure for the lockout", async () => {
    const admin = await createAdmin();
    const { secret, recoveryCodes, accessToken } = await enrol(admin);
    advanceSteps(1);
    const first = recoveryCodes[0] ?? "";
    expect((await loginWith(admin, first)).status).toBe(200);
    const before = await failuresOf(admin.email);
    const unknownRecoveryCode = "0000-0000-0000-0000";
    for (const code of ["000000", first, unknownRecoveryCode, await totpCode(secret, Date.now(), -1)]) {
      const response = await disable(accessToken, code);
      expect([response.status, await response.text()]).toEqual([400, INVALID_CODE]);
    }
    expect(await failuresOf(admin.email)).toBe(before + 4);
    expect((await auditTrail(admin.id)).filter((event) => event === "mfa_code_rejected:disable")).toHaveLength(4);
    expect((await adminRow(admin.id))?.totp_secret).not.toBeNull();
  });

  it("is 409 MFA not enabled without MFA, and that is no failure", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const response = await disable(access_token, "123456");
    expect([response.status, await response.text()]).toEqual([409, '{"detail":"MFA not enabled"}']);
    expect(await failuresOf(admin.email)).toBe(0);
  });

  it("of two disables racing with one recovery code, exactly one succeeds", async () => {
    const admin = await createAdmin();
    const { recoveryCodes, accessToken } = await enrol(admin);
    const responses = await Promise.all([disable(accessToken, recoveryCodes[0]), disable(accessToken, recoveryCodes[0])]);
    const statuses = responses.map((response) => response.status).sort();
    // The loser finds the code spent (400) or, if it started after the winner committed, MFA off (409).
    expect(statuses[0]).toBe(200);
    expect([400, 409]).toContain(statuses[1]);
    expect((await auditTrail(admin.id)).filter((event) => event === "mfa_disabled")).toHaveLength(1);
  });
});
