import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { d1Interleaving } from "./support/interleaving-d1.ts";
import { advanceSteps, auditTrail, enrol, failuresOf, freezeClock, totpCode } from "./support/mfa.ts";
import { sidOf } from "./support/tokens.ts";
import { BASE_URL, bearer, call, createAdmin, type LoginBody, loginAs, PREFIX, postJson, randomClientIp, type TestAdmin } from "./support/worker.ts";

const NEW_PASSWORD = "a brand new passphrase";

const me = (tokens: { access_token: string }) => call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) });
const refresh = (tokens: { refresh_token: string }) => postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
const changePassword = (tokens: { access_token: string }, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(`${PREFIX}/password`, body, { ...bearer(tokens.access_token), ...headers });
const listSessions = (tokens: { access_token: string }) => call(`${PREFIX}/sessions`, { headers: bearer(tokens.access_token) });
const endSession = (tokens: { access_token: string }, id: string) =>
  call(`${PREFIX}/sessions/${id}`, { method: "DELETE", headers: bearer(tokens.access_token) });
const logout = (tokens: { access_token: string }, query = "") => call(`${PREFIX}/logout${query}`, { method: "POST", headers: bearer(tokens.access_token) });

async function loginWith(email: string, password: string, mfaCode?: string) {
  return postJson(`${PREFIX}/login`, { email, password, ...(mfaCode ? { mfa_code: mfaCode } : {}) });
}

async function revokedReason(sessionId: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE id = ?").bind(sessionId).first<{ revoked_reason: string | null }>();
  return row?.revoked_reason ?? null;
}

/** Every session row of an admin, oldest first: what has been opened and how each ended. */
async function sessionsOf(adminId: string): Promise<{ id: string; revoked_reason: string | null }[]> {
  const { results } = await env.DB.prepare("SELECT id, revoked_reason FROM sessions WHERE admin_id = ? ORDER BY created_at, rowid")
    .bind(adminId)
    .all<{ id: string; revoked_reason: string | null }>();
  return results;
}

/** The amr of a session's access token, and of its row as `GET /sessions` lists it. */
async function amrOf(tokens: { access_token: string }): Promise<unknown[]> {
  const [listed] = await (await listSessions(tokens)).json<{ amr: string[] }[]>();
  return [decodeJwt(tokens.access_token).amr, listed?.amr];
}

async function kvRevocation(sessionId: string): Promise<string | null> {
  let value: string | null = null;
  await vi.waitFor(async () => {
    value = await env.REVOCATIONS.get(`revoked-session:${sessionId}`);
    expect(value).not.toBeNull();
  });
  return value;
}

async function twoSessions(admin?: TestAdmin): Promise<{ admin: TestAdmin; caller: LoginBody; other: LoginBody }> {
  const who = admin ?? (await createAdmin());
  return { admin: who, caller: await loginAs(who), other: await loginAs(who) };
}

afterEach(() => vi.useRealTimers());

describe("POST /password", () => {
  it("changes the password, ends every session (D1 and KV), the caller's too, and answers a new session's tokens", async () => {
    const { admin, caller, other } = await twoSessions();
    const origin = { "cf-connecting-ip": "2001:db8::7", "user-agent": "Panel/2.0" };
    const response = await changePassword(caller, { current_password: admin.password, new_password: NEW_PASSWORD }, origin);
    const text = await response.text();
    const fresh = JSON.parse(text) as LoginBody;
    expect(response.status).toBe(200);
    expect(text).toBe(
      `{"message":"Password changed","access_token":"${fresh.access_token}","refresh_token":"${fresh.refresh_token}","token_type":"bearer","expires_in":${caller.expires_in}}`,
    );
    expect(Object.fromEntries(response.headers)).toMatchObject({ "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" });

    for (const ended of [caller, other]) {
      const meAnswer = await me(ended);
      expect([meAnswer.status, await meAnswer.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
      const refreshAnswer = await refresh(ended);
      expect([refreshAnswer.status, await refreshAnswer.text()]).toEqual([401, '{"detail":"Invalid refresh token"}']);
      expect(await revokedReason(sidOf(ended.access_token))).toBe("password_changed");
      expect(await kvRevocation(sidOf(ended.access_token))).toBe("password_changed");
    }

    expect((await me(fresh)).status).toBe(200);
    const listed = await (await listSessions(fresh)).json<Record<string, unknown>[]>();
    expect(listed).toEqual([
      expect.objectContaining({ id: sidOf(fresh.access_token), current: true, amr: ["pwd"], ip: "2001:db8::7", user_agent: "Panel/2.0" }),
    ]);
    expect(decodeJwt(fresh.access_token).amr).toEqual(["pwd"]);
    expect((await refresh(fresh)).status).toBe(200);

    expect((await loginWith(admin.email, admin.password)).status).toBe(401);
    expect((await loginWith(admin.email, NEW_PASSWORD)).status).toBe(200);
    // The change is the old session's act; the new session has its opening row, as a login's has.
    const { results } = await env.DB.prepare(
      "SELECT event, reason, session_id FROM audit_events WHERE admin_id = ? AND 'password_changed' IN (event, reason) ORDER BY id",
    )
      .bind(admin.id)
      .all();
    expect(results).toEqual([
      { event: "password_changed", reason: null, session_id: sidOf(caller.access_token) },
      { event: "login_succeeded", reason: "password_changed", session_id: sidOf(fresh.access_token) },
    ]);
  });

  it("the caller's old tokens are refused at the edge alone, before a D1 replica has seen the change", async () => {
    const { admin, caller } = await twoSessions();
    expect((await changePassword(caller, { current_password: admin.password, new_password: NEW_PASSWORD })).status).toBe(200);
    expect(await kvRevocation(sidOf(caller.access_token))).toBe("password_changed");
    // A replica that has not caught up still holds the session as live: KV must refuse it by itself.
    await env.DB.prepare("UPDATE sessions SET revoked_at = NULL, revoked_reason = NULL WHERE id = ?").bind(sidOf(caller.access_token)).run();
    const meAnswer = await me(caller);
    expect([meAnswer.status, await meAnswer.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
    const refreshAnswer = await refresh(caller);
    expect([refreshAnswer.status, await refreshAnswer.text()]).toEqual([401, '{"detail":"Invalid refresh token"}']);
  });

  it("a change that loses a race stores nothing, ends nothing and opens no session", async () => {
    const { admin, caller, other } = await twoSessions();
    const setup = await call(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(caller.access_token) });
    const { secret } = await setup.json<{ secret: string }>();
    // The same session turns MFA on (a new security stamp, the caller kept) while the password is checked.
    const enableMfa = async () =>
      expect((await postJson(`${PREFIX}/mfa/totp/confirm`, { code: await totpCode(secret) }, bearer(caller.access_token))).status).toBe(200);
    const request = new Request(`${BASE_URL}${PREFIX}/password`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp(), ...bearer(caller.access_token) },
      body: JSON.stringify({ current_password: admin.password, new_password: NEW_PASSWORD }),
    });
    const response = await worker.fetch(request, { ...env, DB: d1Interleaving(2, enableMfa) }, createExecutionContext());
    expect([response.status, await response.text()]).toEqual([400, '{"detail":"Incorrect password"}']);
    expect(await sessionsOf(admin.id)).toEqual([
      { id: sidOf(caller.access_token), revoked_reason: null },
      { id: sidOf(other.access_token), revoked_reason: "mfa_enabled" },
    ]);
    expect((await me(caller)).status).toBe(200);
    expect(await auditTrail(admin.id)).not.toContain("password_changed");
  });

  it("concurrent changes from one session: one wins, and only its new session is live", async () => {
    const { admin, caller } = await twoSessions();
    // Four, under the lockout's five: each is counted before its check.
    const answers = await Promise.all(
      [1, 2, 3, 4].map((i) => changePassword(caller, { current_password: admin.password, new_password: `${NEW_PASSWORD} ${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    // The losers' session was ended by the winner: told so, as any ended session's token is.
    expect(statuses.filter((status) => status !== 200)).toEqual([401, 401, 401]);
    const winner = await answers[statuses.indexOf(200)]?.json<LoginBody>();
    const live = (await sessionsOf(admin.id)).filter((session) => session.revoked_reason === null);
    expect(live.map((session) => session.id)).toEqual([sidOf(winner?.access_token ?? "")]);
  });

  it("hashes the new password under the current policy", async () => {
    const { admin, caller } = await twoSessions();
    await changePassword(caller, { current_password: admin.password, new_password: NEW_PASSWORD });
    const row = await env.DB.prepare("SELECT password_hash FROM admins WHERE id = ?").bind(admin.id).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$pbkdf2-sha256\$i=100000\$/);
  });

  it("a wrong current password is 400, changes nothing and counts toward the lockout", async () => {
    const { admin, caller, other } = await twoSessions();
    const response = await changePassword(caller, { current_password: "not the password", new_password: NEW_PASSWORD });
    expect([response.status, await response.text()]).toEqual([400, '{"detail":"Incorrect password"}']);
    expect(await failuresOf(admin.email)).toBe(1);
    expect((await me(other)).status).toBe(200);
    expect((await loginWith(admin.email, NEW_PASSWORD)).status).toBe(401);
    expect(await auditTrail(admin.id)).toContain("password_change_failed:wrong_password");
  });

  it("five wrong guesses lock the email: the route and the login answer 429", async () => {
    const { admin, caller } = await twoSessions();
    for (let i = 0; i < 5; i++) {
      expect((await changePassword(caller, { current_password: `guess ${i}`, new_password: NEW_PASSWORD })).status).toBe(400);
    }
    const locked = await changePassword(caller, { current_password: admin.password, new_password: NEW_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).not.toBeNull();
    expect((await loginWith(admin.email, admin.password)).status).toBe(429);
  });

  it("a right password takes its count back", async () => {
    const { admin, caller } = await twoSessions();
    await changePassword(caller, { current_password: "wrong once", new_password: NEW_PASSWORD });
    expect(await failuresOf(admin.email)).toBe(1);
    expect((await changePassword(caller, { current_password: admin.password, new_password: NEW_PASSWORD })).status).toBe(200);
    expect(await failuresOf(admin.email)).toBe(1);
  });

  it("needs the second factor when enrolled: missing, wrong, TOTP, recovery code", async () => {
    freezeClock();
    const admin = await createAdmin();
    const { secret, recoveryCodes, accessToken } = await enrol(admin);
    const caller = { access_token: accessToken };
    const body = { current_password: admin.password, new_password: NEW_PASSWORD };

    const missing = await changePassword(caller, body);
    expect([missing.status, await missing.text()]).toEqual([401, '{"detail":"MFA code required"}']);
    expect(await failuresOf(admin.email)).toBe(0);

    const wrong = await changePassword(caller, { ...body, mfa_code: "000000" === (await totpCode(secret)) ? "111111" : "000000" });
    expect([wrong.status, await wrong.text()]).toEqual([401, '{"detail":"Invalid MFA code"}']);
    expect(await failuresOf(admin.email)).toBe(1);

    // A wrong password is told so before the code is looked at.
    const wrongPassword = await changePassword(caller, { ...body, current_password: "nope", mfa_code: await totpCode(secret) });
    expect([wrongPassword.status, await wrongPassword.text()]).toEqual([400, '{"detail":"Incorrect password"}']);

    // None of those ended the caller's session or opened one.
    expect((await me(caller)).status).toBe(200);
    expect((await sessionsOf(admin.id)).map((session) => session.revoked_reason)).toEqual([null]);

    // Each change opens the session a login with that code would: its amr says how it was proved.
    advanceSteps(1);
    const withTotp = await changePassword(caller, { ...body, mfa_code: await totpCode(secret) });
    expect(withTotp.status).toBe(200);
    const afterTotp = await withTotp.json<LoginBody>();
    expect((await me(caller)).status).toBe(401);
    expect(await amrOf(afterTotp)).toEqual([
      ["pwd", "otp", "mfa"],
      ["pwd", "otp", "mfa"],
    ]);
    const recovery = await changePassword(afterTotp, { current_password: NEW_PASSWORD, new_password: admin.password, mfa_code: recoveryCodes[0] });
    expect(recovery.status).toBe(200);
    const afterRecovery = await recovery.json<LoginBody>();
    expect(await amrOf(afterRecovery)).toEqual([
      ["pwd", "mfa"],
      ["pwd", "mfa"],
    ]);
    // Each code once: the same recovery code is spent now.
    const again = await changePassword(afterRecovery, { current_password: admin.password, new_password: NEW_PASSWORD, mfa_code: recoveryCodes[0] });
    expect([again.status, await again.text()]).toEqual([401, '{"detail":"Invalid MFA code"}']);
  });

  it("without a token: 401 as for /me; a revoked session: 401 before any body error", async () => {
    const none = await postJson(`${PREFIX}/password`, {});
    expect([none.status, await none.text()]).toEqual([401, '{"detail":"Not authenticated"}']);
    const { caller } = await twoSessions();
    await logout(caller);
    const dead = await changePassword(caller, { new_password: "short" });
    expect([dead.status, await dead.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
  });

  it("counts a new password's length in characters, as Python does", async () => {
    const { admin, caller } = await twoSessions();
    // Eleven emoji are 22 UTF-16 units but 11 characters: too short.
    const eleven = "😀".repeat(11);
    const short = await changePassword(caller, { current_password: admin.password, new_password: eleven });
    expect(short.status).toBe(422);
    expect(await short.text()).toBe(
      `{"detail":[{"type":"string_too_short","loc":["body","new_password"],"msg":"String should have at least 12 characters","input":"${eleven}","ctx":{"min_length":12}}]}`,
    );
    expect((await changePassword(caller, { current_password: admin.password, new_password: "😀".repeat(12) })).status).toBe(200);
  });

  it("a session ended while the password was checked is told 401, and nothing changes", async () => {
    const { admin, caller } = await twoSessions();
    const endCaller = () =>
      env.DB.prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = 'operator' WHERE id = ?").bind(Date.now(), sidOf(caller.access_token)).run();
    const request = new Request(`${BASE_URL}${PREFIX}/password`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp(), ...bearer(caller.access_token) },
      body: JSON.stringify({ current_password: admin.password, new_password: NEW_PASSWORD }),
    });
    const response = await worker.fetch(request, { ...env, DB: d1Interleaving(2, endCaller) }, createExecutionContext());
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
    expect((await sessionsOf(admin.id)).map((session) => session.revoked_reason)).toEqual(["operator", null]);
    expect((await loginWith(admin.email, admin.password)).status).toBe(200);
    expect(await failuresOf(admin.email)).toBe(0);
  });

  it("refuses a new password with lone surrogates, which would be stored as U+FFFD", async () => {
    const { admin, caller } = await twoSessions();
    const surrogates = "\ud800".repeat(12);
    const response = await call(`${PREFIX}/password`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(caller.access_token) },
      body: `{"current_password":${JSON.stringify(admin.password)},"new_password":"${"\\ud800".repeat(12)}"}`,
    });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(
      `{"detail":[{"type":"string_unicode","loc":["body","new_password"],"msg":"Input should be a valid string, unable to parse raw data as a unicode string","input":"${"\ufffd".repeat(12)}"}]}`,
    );
    expect((await loginWith(admin.email, surrogates)).status).toBe(401);
    expect((await loginWith(admin.email, admin.password)).status).toBe(200);
  });
});

describe("GET /sessions", () => {
  it("lists the caller's live sessions, newest first, with the current one marked and nothing secret", async () => {
    const admin = await createAdmin();
    const first = await (
      await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password }, { "cf-connecting-ip": "2001:db8::1", "user-agent": "Panel/1.0" })
    ).json<LoginBody>();
    const second = await loginAs(admin);
    const ended = await loginAs(admin);
    await logout(ended);
    const someoneElse = await loginAs(await createAdmin());

    const response = await listSessions(first);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const list = await response.json<Record<string, unknown>[]>();
    expect(list.map((session) => session.id)).toEqual([sidOf(second.access_token), sidOf(first.access_token)]);
    expect(list.map((session) => session.current)).toEqual([false, true]);
    expect(Object.keys(list[1] ?? {})).toEqual(["id", "created_at", "last_used_at", "expires_at", "ip", "user_agent", "amr", "current"]);
    expect(list[1]).toMatchObject({ ip: "2001:db8::1", user_agent: "Panel/1.0", amr: ["pwd"] });
    expect(String(list[1]?.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const text = JSON.stringify(list);
    expect(text).not.toContain(sidOf(someoneElse.access_token));
    expect(text).not.toContain("jti");
    expect(text).not.toContain(first.refresh_token);
  });

  it("an ended session lists nothing: 401", async () => {
    const { caller } = await twoSessions();
    await logout(caller);
    expect((await listSessions(caller)).status).toBe(401);
  });
});

describe("DELETE /sessions/{id}", () => {
  it("ends another of the caller's sessions (D1 and KV), and only that one", async () => {
    const { caller, other } = await twoSessions();
    const response = await endSession(caller, sidOf(other.access_token));
    expect([response.status, await response.text()]).toEqual([200, '{"message":"Session revoked"}']);
    expect((await refresh(other)).status).toBe(401);
    expect((await me(caller)).status).toBe(200);
    expect(await revokedReason(sidOf(other.access_token))).toBe("signed_out_elsewhere");
    expect(await kvRevocation(sidOf(other.access_token))).toBe("signed_out_elsewhere");
    const audited = await env.DB.prepare("SELECT session_id, reason FROM audit_events WHERE event = 'sessions_revoked' AND reason = ?")
      .bind(`session:${sidOf(other.access_token)}`)
      .first();
    expect(audited).toEqual({ session_id: sidOf(caller.access_token), reason: `session:${sidOf(other.access_token)}` });
  });

  it("the same 404 for an unknown id, another admin's session and one already ended", async () => {
    const { caller, other } = await twoSessions();
    const stranger = await loginAs(await createAdmin());
    await endSession(caller, sidOf(other.access_token));
    for (const id of ["no-such-session", sidOf(stranger.access_token), sidOf(other.access_token)]) {
      const response = await endSession(caller, id);
      expect([response.status, await response.text()]).toEqual([404, '{"detail":"Not Found"}']);
    }
    expect((await me(stranger)).status).toBe(200);
  });

  it("ending the current session is a logout", async () => {
    const { admin, caller } = await twoSessions();
    expect((await endSession(caller, sidOf(caller.access_token))).status).toBe(200);
    expect((await me(caller)).status).toBe(401);
    expect(await revokedReason(sidOf(caller.access_token))).toBe("logout");
    expect(await auditTrail(admin.id)).toContain("logout");
  });

  it("a dead caller is 401, and ends nothing", async () => {
    const { caller, other } = await twoSessions();
    await logout(caller);
    const response = await endSession(caller, sidOf(other.access_token));
    expect(response.status).toBe(401);
    expect((await me(other)).status).toBe(200);
  });

  it("answers other methods with 405 and a trailing slash with Starlette's redirect", async () => {
    const { caller } = await twoSessions();
    const get = await call(`${PREFIX}/sessions/abc`, { headers: bearer(caller.access_token) });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "DELETE"]);
    const slash = await call(`${PREFIX}/sessions/abc/`, { method: "DELETE", headers: bearer(caller.access_token), redirect: "manual" });
    expect([slash.status, slash.headers.get("location")]).toEqual([307, `https://auth.test${PREFIX}/sessions/abc`]);
    const post = await call(`${PREFIX}/sessions`, { method: "POST", headers: bearer(caller.access_token) });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
    // Starlette routes the decoded path: an encoded slash makes two segments, which no route has.
    for (const method of ["GET", "DELETE"]) {
      const split = await call(`${PREFIX}/sessions/a%2Fb`, { method });
      expect([split.status, await split.text()]).toEqual([404, '{"detail":"Not Found"}']);
    }
  });
});

describe("POST /logout?scope=", () => {
  it("local (the default, and spelled out) ends only the caller's session", async () => {
    for (const query of ["", "?scope=local"]) {
      const { caller, other } = await twoSessions();
      const response = await logout(caller, query);
      expect([response.status, await response.text()]).toEqual([200, '{"message":"Successfully logged out"}']);
      expect((await me(caller)).status).toBe(401);
      expect((await me(other)).status).toBe(200);
    }
  });

  it("others ends every other session and keeps the caller's", async () => {
    const { admin, caller, other } = await twoSessions();
    const third = await loginAs(admin);
    const response = await logout(caller, "?scope=others");
    expect([response.status, await response.text()]).toEqual([200, '{"message":"Successfully logged out"}']);
    expect((await me(caller)).status).toBe(200);
    for (const ended of [other, third]) {
      expect((await refresh(ended)).status).toBe(401);
      expect(await kvRevocation(sidOf(ended.access_token))).toBe("signed_out_elsewhere");
    }
    expect(await auditTrail(admin.id)).toContain("sessions_revoked:others");
  });

  it("global ends every session, the caller's too", async () => {
    const { admin, caller, other } = await twoSessions();
    const stranger = await loginAs(await createAdmin());
    expect((await logout(caller, "?scope=global")).status).toBe(200);
    expect((await me(caller)).status).toBe(401);
    expect((await refresh(other)).status).toBe(401);
    expect(await kvRevocation(sidOf(caller.access_token))).toBe("logout");
    expect(await kvRevocation(sidOf(other.access_token))).toBe("signed_out_elsewhere");
    expect((await me(stranger)).status).toBe(200);
    expect(await auditTrail(admin.id)).toContain("sessions_revoked:global");
  });

  it("a dead caller ends nothing, whatever the scope", async () => {
    for (const scope of ["others", "global"]) {
      const { caller, other } = await twoSessions();
      await logout(caller);
      expect((await logout(caller, `?scope=${scope}`)).status).toBe(401);
      expect((await me(other)).status).toBe(200);
    }
  });

  it("any other value is pydantic's literal_error; the last of repeated values counts, as Starlette reads it", async () => {
    const { caller, other } = await twoSessions();
    const literal = (input: string) =>
      `{"detail":[{"type":"literal_error","loc":["query","scope"],"msg":"Input should be 'local', 'others' or 'global'","input":${JSON.stringify(input)},"ctx":{"expected":"'local', 'others' or 'global'"}}]}`;
    for (const [query, input] of [
      ["?scope=everything", "everything"],
      ["?scope=", ""],
      ["?scope=LOCAL", "LOCAL"],
      ["?scope=global&scope=all", "all"],
      ["?scope=a+b%21", "a b!"],
    ] as const) {
      const response = await logout(caller, query);
      expect([response.status, await response.text()]).toEqual([422, literal(input)]);
    }
    expect((await me(caller)).status).toBe(200);
    expect((await logout(caller, "?scope=nonsense&scope=others")).status).toBe(200);
    expect((await me(other)).status).toBe(401);
  });

  it("a dead session with a bad scope is 401, as FastAPI's bearer dependency runs first", async () => {
    const { caller } = await twoSessions();
    await logout(caller);
    const response = await logout(caller, "?scope=bogus");
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
  });
});
