import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { advanceSteps, auditTrail, enrol, failuresOf, freezeClock, totpCode } from "./support/mfa.ts";
import { bearer, call, createAdmin, PREFIX, postJson, type TestAdmin } from "./support/worker.ts";

const INCORRECT = '{"detail":"Incorrect email or password"}';
const CODE_REQUIRED = '{"detail":"MFA code required"}';
const INVALID_CODE = '{"detail":"Invalid MFA code"}';

beforeEach(freezeClock);
afterEach(() => vi.useRealTimers());

function login(admin: TestAdmin, extra: Record<string, unknown> = {}, password = admin.password): Promise<Response> {
  return postJson(`${PREFIX}/login`, { email: admin.email, password, ...extra });
}

async function sessionCount(adminId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE admin_id = ?").bind(adminId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** An admin with MFA on, the clock moved past the step the enrolment spent. */
async function enrolled() {
  const admin = await createAdmin();
  const enrolment = await enrol(admin);
  advanceSteps(1);
  return { admin, ...enrolment };
}

describe("login of an admin with MFA (contract-mfa.md, the table)", () => {
  it("wrong password, with any code or none: Incorrect email or password, as today", async () => {
    const { admin, secret } = await enrolled();
    for (const extra of [{}, { mfa_code: null }, { mfa_code: await totpCode(secret) }, { mfa_code: "nonsense" }]) {
      const response = await login(admin, extra, "not the password");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).toBe(INCORRECT);
    }
  });

  it("right password, no code or null: MFA code required, not a failure, and it resets nothing", async () => {
    const { admin } = await enrolled();
    for (let i = 0; i < 2; i++) expect((await login(admin, {}, `wrong ${i}`)).status).toBe(401);
    for (const extra of [{}, { mfa_code: null }, {}, {}, {}, {}]) {
      const response = await login(admin, extra);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.text()).toBe(CODE_REQUIRED);
    }
    expect(await failuresOf(admin.email)).toBe(2);
  });

  it("right password, no code: the email's run of failures is left as it was, its date too, and none is started", async () => {
    const { admin } = await enrolled();
    // A run still within its window (one past it is over, as if purged).
    const lastFailureAt = Date.now() - 60_000;
    await env.DB.prepare("INSERT OR REPLACE INTO login_throttle (email, failures, locked_until, last_failure_at) VALUES (?, 4, NULL, ?)")
      .bind(admin.email.toLowerCase(), lastFailureAt)
      .run();
    expect(await (await login(admin)).text()).toBe(CODE_REQUIRED);
    const row = await env.DB.prepare("SELECT failures, locked_until, last_failure_at FROM login_throttle WHERE email = ?")
      .bind(admin.email.toLowerCase())
      .first();
    expect(row).toEqual({ failures: 4, locked_until: null, last_failure_at: lastFailureAt });
    const fresh = await enrolled();
    expect(await (await login(fresh.admin)).text()).toBe(CODE_REQUIRED);
    expect(await env.DB.prepare("SELECT * FROM login_throttle WHERE email = ?").bind(fresh.admin.email.toLowerCase()).first()).toBeNull();
    expect((await login(admin, {}, "a typo")).status).toBe(401);
    expect((await env.DB.prepare("SELECT last_failure_at FROM login_throttle WHERE email = ?").bind(admin.email.toLowerCase()).first())?.last_failure_at).toBe(
      Date.now(),
    );
  });

  it("right password, wrong, malformed or reused code: Invalid MFA code, a failure for the lockout", async () => {
    const { admin, secret } = await enrolled();
    const good = await totpCode(secret);
    expect((await login(admin, { mfa_code: good })).status).toBe(200);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, "0");
    for (const code of [wrong, "12345", "abcdef", "", good]) {
      const response = await login(admin, { mfa_code: code });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).toBe(INVALID_CODE);
    }
    expect(await failuresOf(admin.email)).toBe(5);
    const locked = await login(admin, { mfa_code: await totpCode(secret, Date.now(), 1) });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await auditTrail(admin.id)).filter((event) => event === "login_failed:mfa_invalid")).toHaveLength(5);
  });

  it("right password, valid code: 200 as today, with amr pwd otp mfa, kept across refreshes", async () => {
    const { admin, secret } = await enrolled();
    const response = await login(admin, { mfa_code: await totpCode(secret) });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await response.json<{ access_token: string; refresh_token: string; user: Record<string, unknown> }>();
    expect(Object.keys(tokens.user)).toEqual(["id", "email", "name", "role", "is_active", "created_at", "last_login_at", "mfa_enabled", "passkey_only"]);
    expect(tokens.user.mfa_enabled).toBe(true);
    expect(decodeJwt(tokens.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
    expect(decodeJwt(tokens.refresh_token).amr).toEqual(["pwd", "otp", "mfa"]);
    const refreshed = await (await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).json<{
      access_token: string;
      refresh_token: string;
    }>();
    expect(decodeJwt(refreshed.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
    expect(decodeJwt(refreshed.refresh_token).amr).toEqual(["pwd", "otp", "mfa"]);
    const me = await call(`${PREFIX}/me`, { headers: bearer(refreshed.access_token) });
    expect(await me.json()).toMatchObject({ email: admin.email, mfa_enabled: true });
  });

  it("accepts the codes of one step either side, each step once, with spaces or a hyphen", async () => {
    const { admin, secret } = await enrolled();
    advanceSteps(1);
    const code = async (steps: number) => totpCode(secret, Date.now(), steps);
    const next = await code(1);
    expect((await login(admin, { mfa_code: `${next.slice(0, 3)} ${next.slice(3)}` })).status).toBe(200);
    // Earlier steps not yet used are still good after a later one (a second device, a clock running fast).
    expect((await login(admin, { mfa_code: await code(0) })).status).toBe(200);
    expect((await login(admin, { mfa_code: await code(-1) })).status).toBe(200);
    for (const steps of [1, 0, -1, 2]) expect(await (await login(admin, { mfa_code: await code(steps) })).text()).toBe(INVALID_CODE);
    advanceSteps(2);
    const current = await code(0);
    expect((await login(admin, { mfa_code: `${current.slice(0, 3)}-${current.slice(3)}` })).status).toBe(200);
    for (const steps of [-1, -2]) expect(await (await login(admin, { mfa_code: await code(steps) })).text()).toBe(INVALID_CODE);
  });

  it("right password, a recovery code (any case, spaces or hyphens): 200 with amr pwd mfa, each code once", async () => {
    const { admin, recoveryCodes } = await enrolled();
    const [first = "", second = ""] = recoveryCodes;
    const response = await login(admin, { mfa_code: ` ${first.toUpperCase().replaceAll("-", " ")} ` });
    expect(response.status).toBe(200);
    const { access_token } = await response.json<{ access_token: string }>();
    expect(decodeJwt(access_token).amr).toEqual(["pwd", "mfa"]);
    expect(await (await login(admin, { mfa_code: first })).text()).toBe(INVALID_CODE);
    expect((await login(admin, { mfa_code: second.replaceAll("-", "") })).status).toBe(200);
    const audit = await auditTrail(admin.id);
    expect(audit.filter((event) => event === "mfa_recovery_code_used")).toHaveLength(2);
    expect(audit).toContain("login_failed:mfa_invalid");
    const used = await env.DB.prepare("SELECT count(*) AS n FROM recovery_codes WHERE admin_id = ? AND used_at IS NOT NULL").bind(admin.id).first();
    expect(used).toEqual({ n: 2 });
  });

  it("right password, MFA not enabled, any code: the code is ignored", async () => {
    const admin = await createAdmin();
    for (const extra of [{ mfa_code: "123456" }, { mfa_code: null }, { mfa_code: "whatever" }]) {
      const response = await login(admin, extra);
      expect(response.status).toBe(200);
      const { access_token, user } = await response.json<{ access_token: string; user: { mfa_enabled: boolean } }>();
      expect(user.mfa_enabled).toBe(false);
      expect(decodeJwt(access_token).amr).toEqual(["pwd"]);
    }
  });

  it("a disabled admin gets 403 after the right password, before any code is asked for", async () => {
    const { admin } = await enrolled();
    await env.DB.prepare("UPDATE admins SET is_active = 0 WHERE id = ?").bind(admin.id).run();
    for (const extra of [{}, { mfa_code: "000000" }]) {
      const response = await login(admin, extra);
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('{"detail":"Account disabled"}');
    }
  });

  it("of two or more logins racing with one TOTP code, exactly one gets a session", async () => {
    const { admin, secret } = await enrolled();
    const before = await sessionCount(admin.id);
    const code = await totpCode(secret);
    const responses = await Promise.all(Array.from({ length: 4 }, () => login(admin, { mfa_code: code })));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(bodies.filter((body) => body === INVALID_CODE)).toHaveLength(3);
    expect(await sessionCount(admin.id)).toBe(before + 1);
  });

  it("of two or more logins racing with one recovery code, exactly one gets a session", async () => {
    const { admin, recoveryCodes } = await enrolled();
    const before = await sessionCount(admin.id);
    const responses = await Promise.all(Array.from({ length: 4 }, () => login(admin, { mfa_code: recoveryCodes[0] })));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(bodies.filter((body) => body === INVALID_CODE)).toHaveLength(3);
    expect(await sessionCount(admin.id)).toBe(before + 1);
  });

  it("refuses a string_type mfa_code as pydantic does, beside the other fields' errors", async () => {
    const response = await postJson(`${PREFIX}/login`, { email: "nope", password: 7, mfa_code: 123456 });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(
      '{"detail":[{"type":"value_error","loc":["body","email"],"msg":"value is not a valid email address: An email address must have an @-sign.","input":"nope","ctx":{"reason":"An email address must have an @-sign."}},' +
        '{"type":"string_type","loc":["body","password"],"msg":"Input should be a valid string","input":7},' +
        '{"type":"string_type","loc":["body","mfa_code"],"msg":"Input should be a valid string","input":123456}]}',
    );
  });
});
