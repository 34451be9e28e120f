import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { disableAdmin, OPERATOR_ORIGIN } from "../src/admins/admin-commands.ts";
import { database } from "../src/db/client.ts";
import worker from "../src/index.ts";
import { sidOf } from "./support/tokens.ts";
import { BASE_URL, bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

interface AuditRow {
  event: string;
  reason: string | null;
  email: string | null;
  admin_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  colo: string | null;
}

async function auditOf(adminId: string): Promise<AuditRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_events WHERE admin_id = ? ORDER BY id").bind(adminId).all<AuditRow>();
  return results;
}

afterEach(() => vi.restoreAllMocks());

describe("audit log", () => {
  it("records the life of a session with who, where and from which client", async () => {
    const admin = await createAdmin();
    const headers = { "cf-connecting-ip": "198.18.7.7", "user-agent": "admin-panel/1.0" };
    await postJson(`${PREFIX}/login`, { email: admin.email, password: "wrong one" }, headers);
    const tokens = await (await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password }, headers)).json<{
      access_token: string;
      refresh_token: string;
    }>();
    const rotated = await (await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token }, headers)).json<{ access_token: string }>();
    await call(`${PREFIX}/logout`, { method: "POST", headers: { ...bearer(rotated.access_token), ...headers } });

    const sid = sidOf(tokens.access_token);
    const rows = await auditOf(admin.id);
    expect(rows.map((row) => [row.event, row.reason, row.session_id])).toEqual([
      ["login_failed", "wrong_password", null],
      ["login_succeeded", null, sid],
      ["refresh", null, sid],
      ["logout", null, sid],
    ]);
    for (const row of rows) expect(row).toMatchObject({ ip: "198.18.7.7", user_agent: "admin-panel/1.0", admin_id: admin.id });
    expect(rows[0]?.email).toBe(admin.email.toLowerCase());
  });

  it("records a lockout and a refresh token reuse", async () => {
    const admin = await createAdmin();
    for (let i = 0; i < 5; i++) await postJson(`${PREFIX}/login`, { email: admin.email, password: `wrong ${i}` });
    const rows = await auditOf(admin.id);
    expect(rows.filter((row) => row.event === "login_locked_out")).toHaveLength(1);
    expect(rows.at(-1)?.event).toBe("login_locked_out");
  });

  it("records a detected reuse in the batch that revokes the session", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
    const sid = sidOf(tokens.access_token);
    await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - 60000 WHERE id = ?").bind(sid).run();
    await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
    expect((await auditOf(admin.id)).map((row) => row.event)).toContain("refresh_reuse_detected");
  });

  it("records sessions revoked by an operator", async () => {
    const admin = await createAdmin();
    await loginAs(admin);
    await disableAdmin({ db: database(env.DB), kv: env.REVOCATIONS, origin: OPERATOR_ORIGIN, now: Date.now(), pbkdf2Iterations: 100_000 }, admin.email);
    expect((await auditOf(admin.id)).at(-1)).toMatchObject({ event: "sessions_revoked", reason: "admin_disabled", user_agent: "scaikey-admin-cli" });
  });

  it("never holds a password or a token", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    await postJson(`${PREFIX}/login`, { email: admin.email, password: "a wrong secret" });
    const dump = JSON.stringify((await env.DB.prepare("SELECT * FROM audit_events").all()).results);
    for (const secret of [admin.password, "a wrong secret", tokens.access_token, tokens.refresh_token]) expect(dump).not.toContain(secret);
  });
});

describe("request log", () => {
  it("writes one JSON line per request, with the ray id, route, status, duration and outcome, and no secrets", async () => {
    const admin = await createAdmin();
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    const request = new Request(`${BASE_URL}${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-ray": "8f2c1a-AMS", "cf-connecting-ip": "198.18.9.9" },
      body: JSON.stringify({ email: admin.email, password: "not the password" }),
    });
    const ctx = createExecutionContext();
    await worker.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry).toMatchObject({ level: "info", request_id: "8f2c1a-AMS", method: "POST", route: `${PREFIX}/login`, status: 401, outcome: "invalid_login" });
    expect(typeof entry.duration_ms).toBe("number");
    expect(lines[0]).not.toContain("not the password");
  });

  it("keeps an error's stack in the log and out of the response", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => errors.push(line));
    vi.spyOn(console, "log").mockImplementation(() => {});
    const response = await worker.fetch(
      new Request(`${BASE_URL}${PREFIX}/me`, { headers: bearer("x.y.z") }),
      { ...env, JWT_SIGNING_KEYS: "not json" },
      createExecutionContext(),
    );
    expect(await response.text()).toBe('{"detail":"Internal Server Error"}');
    expect(errors.join("\n")).toContain("JWT_SIGNING_KEYS");
    expect(errors.join("\n")).toContain('"stack"');
  });
});

describe("scheduled purge", () => {
  it("deletes expired sessions and stale throttle rows, and keeps live ones", async () => {
    const admin = await createAdmin();
    const live = await loginAs(admin);
    const expired = await loginAs(admin);
    const day = 24 * 60 * 60 * 1000;
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, sidOf(expired.access_token))
      .run();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO login_throttle (email, failures, locked_until, last_failure_at) VALUES ('stale@example.com', 3, NULL, ?)").bind(
        Date.now() - 2 * day,
      ),
      env.DB.prepare("INSERT INTO login_throttle (email, failures, locked_until, last_failure_at) VALUES ('recent@example.com', 3, NULL, ?)").bind(Date.now()),
    ]);
    vi.spyOn(console, "log").mockImplementation(() => {});
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);

    const sessions = (await env.DB.prepare("SELECT id FROM sessions WHERE admin_id = ?").bind(admin.id).all<{ id: string }>()).results;
    expect(sessions.map((row) => row.id)).toEqual([sidOf(live.access_token)]);
    const throttles = (
      await env.DB.prepare("SELECT email FROM login_throttle WHERE email LIKE '%@example.com' AND email IN ('stale@example.com', 'recent@example.com')").all<{
        email: string;
      }>()
    ).results;
    expect(throttles.map((row) => row.email)).toEqual(["recent@example.com"]);
  });

  it("deletes used WebAuthn challenges once they have expired, and keeps the others", async () => {
    await env.DB.batch([
      env.DB.prepare("INSERT INTO webauthn_challenges (challenge_hash, expires_at) VALUES ('purge-expired', ?)").bind(Date.now() - 1),
      env.DB.prepare("INSERT INTO webauthn_challenges (challenge_hash, expires_at) VALUES ('purge-current', ?)").bind(Date.now() + 60_000),
    ]);
    vi.spyOn(console, "log").mockImplementation(() => {});
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    const left = await env.DB.prepare("SELECT challenge_hash FROM webauthn_challenges WHERE challenge_hash LIKE 'purge-%'").all<{ challenge_hash: string }>();
    expect(left.results.map((row) => row.challenge_hash)).toEqual(["purge-current"]);
  });
});
