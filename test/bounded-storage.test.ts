import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { FAILURE_RUN_WINDOW_MS } from "../src/throttle/login-throttle.ts";
import { BASE_URL, createAdmin, PREFIX, randomClientIp } from "./support/worker.ts";

const HOUR = 60 * 60 * 1000;
/** A quarter to noon, so a test can cross into the next hour. */
const START = Date.UTC(2026, 11, 1, 11, 45, 0);
/** Longer than the 512 characters of a User-Agent that an audit row would keep. */
const LONG_USER_AGENT = `Mozilla/5.0 ${"x".repeat(600)}`;

/** Every attempt gets through the per-client limit, as from more clients than it can tell apart. */
const permissiveLimiter: RateLimit = { limit: async () => ({ success: true }) };

async function attempt(email: string, password: string, client: string, userAgent = LONG_USER_AGENT): Promise<Response> {
  const request = new Request(`${BASE_URL}${PREFIX}/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": client, "user-agent": userAgent },
    body: JSON.stringify({ email, password }),
  });
  return worker.fetch(request, { ...env, LOGIN_RATE_LIMITER: permissiveLimiter, LOGIN_SITE_RATE_LIMITER: permissiveLimiter }, createExecutionContext());
}

function unknownEmail(): string {
  return `nobody-${crypto.randomUUID()}@example.com`;
}

async function purgeAt(scheduledTime: number): Promise<void> {
  vi.spyOn(console, "log").mockImplementation(() => {});
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "17 * * * *" }), env);
}

/** Rows per table, for every table the worker can write (not SQLite's own, nor miniflare's). */
async function rowCounts(): Promise<Record<string, number>> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
  ).all<{ name: string }>();
  const counts = await env.DB.batch<{ name: string; n: number }>(
    tables.map(({ name }) => env.DB.prepare(`SELECT ? AS name, count(*) AS n FROM "${name}"`).bind(name)),
  );
  return Object.fromEntries(counts.flatMap(({ results }) => results.map((row) => [row.name, row.n])));
}

function growth(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([table, rows]) => [table, rows - (before[table] ?? 0)]));
}

async function auditRowsOf(email: string) {
  const { results } = await env.DB.prepare("SELECT event, reason, user_agent FROM audit_events WHERE email = ? ORDER BY id")
    .bind(email.toLowerCase())
    .all<{ event: string; reason: string | null; user_agent: string | null }>();
  return results;
}

async function tallyOf(client: string) {
  const { results } = await env.DB.prepare("SELECT hour, failures, lockouts, refused_attempts FROM unknown_email_attempts WHERE client = ? ORDER BY hour")
    .bind(client)
    .all<{ hour: number; failures: number; lockouts: number; refused_attempts: number }>();
  return results;
}

async function throttleOf(email: string) {
  return env.DB.prepare("SELECT failures, locked_until FROM login_throttle WHERE email = ?")
    .bind(email.toLowerCase())
    .first<{ failures: number; locked_until: number | null }>();
}

beforeEach(() => vi.useFakeTimers({ toFake: ["Date"], now: START }));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("storage under unauthenticated load", () => {
  it("200 failed logins for 200 emails no admin has, from 4 clients past the rate limit, add one row per client (an IPv6 /48) and hour; the purge takes the rest", async () => {
    // Two IPv4 clients, and two IPv6 /64s of one /48 that use a new address of theirs every time.
    const site = `2001:db8:${((crypto.getRandomValues(new Uint16Array(1))[0] ?? 0) | 1).toString(16)}`;
    const clients = [randomClientIp(), randomClientIp(), `${site}:1`, `${site}:2`];
    expect(new Set(clients).size).toBe(4);
    const address = (client: string, i: number) => (client.includes(":") ? `${client}::${(i + 1).toString(16)}` : client);
    const emails = Array.from({ length: 200 }, unknownEmail);
    const before = await rowCounts();

    // One attempt every 9 s, round the clients: 30 minutes across the noon hour boundary.
    for (const [i, email] of emails.entries()) {
      vi.setSystemTime(START + i * 9_000);
      const response = await attempt(email, `guess ${i}`, address(clients[i % 4] ?? "", i));
      expect(response.status).toBe(401);
    }
    const end = START + 199 * 9_000;

    // The README's bound: at most one tally row per client and hour (3 clients here, the two /64s
    // being one /48, × 2 hours), no row per attempt, and a throttle row per email tried in the last
    // failure-run window.
    expect(growth(before, await rowCounts())).toEqual({ ...zeroed(before), unknown_email_attempts: 3 * 2, login_throttle: 200 });
    for (const [key, perHour] of [
      [clients[0], 25],
      [clients[1], 25],
      [`${site}::/48`, 50],
    ] as const) {
      expect((await tallyOf(key ?? "")).map((row) => [row.hour, row.failures, row.lockouts, row.refused_attempts])).toEqual([
        [START - 45 * 60_000, perHour, 0, 0],
        [START + 15 * 60_000, perHour, 0, 0],
      ]);
    }

    // The hourly purge after the failure-run window has passed: only the tallies are left.
    await purgeAt(end + FAILURE_RUN_WINDOW_MS + HOUR);
    expect(growth(before, await rowCounts())).toEqual({ ...zeroed(before), unknown_email_attempts: 3 * 2 });
  }, 180_000);
});

function zeroed(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(counts).map((table) => [table, 0]));
}

describe("what a failed login stores", () => {
  it("for an email no admin has: a count on the client's tally for the hour, no row of its own", async () => {
    const client = randomClientIp();
    const emails = [unknownEmail(), unknownEmail(), unknownEmail()];
    for (const email of emails) expect((await attempt(email, "a guess", client)).status).toBe(401);
    vi.setSystemTime(START + 15 * 60_000);
    expect((await attempt(unknownEmail(), "a guess", client)).status).toBe(401);

    for (const email of emails) expect(await auditRowsOf(email)).toEqual([]);
    expect(await tallyOf(client)).toEqual([
      { hour: START - 45 * 60_000, failures: 3, lockouts: 0, refused_attempts: 0 },
      { hour: START + 15 * 60_000, failures: 1, lockouts: 0, refused_attempts: 0 },
    ]);
  });

  it("for an admin's email: its own row, with the User-Agent, and nothing on the tally", async () => {
    const admin = await createAdmin();
    const client = randomClientIp();
    expect((await attempt(admin.email, "wrong", client, "admin-panel/1.0")).status).toBe(401);
    expect(await auditRowsOf(admin.email)).toEqual([{ event: "login_failed", reason: "wrong_password", user_agent: "admin-panel/1.0" }]);
    expect(await tallyOf(client)).toEqual([]);
  });

  it("a lock on an email no admin has writes no row for it: the tally counts the lock and what it refuses", async () => {
    const email = unknownEmail();
    const client = randomClientIp();
    for (let i = 0; i < 5; i++) expect((await attempt(email, `guess ${i}`, client)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await attempt(email, "again", client)).status).toBe(429);

    expect(await auditRowsOf(email)).toEqual([]);
    expect(await tallyOf(client)).toEqual([{ hour: START - 45 * 60_000, failures: 5, lockouts: 1, refused_attempts: 3 }]);
  });

  it("a lock on an admin's email still writes its one row, with what it refused, and nothing on the tally", async () => {
    const admin = await createAdmin();
    const client = randomClientIp();
    for (let i = 0; i < 5; i++) expect((await attempt(admin.email, `guess ${i}`, client)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await attempt(admin.email, "again", client)).status).toBe(429);

    expect((await auditRowsOf(admin.email)).map((row) => row.event)).toEqual([...Array(5).fill("login_failed"), "login_locked_out"]);
    const { refused } = (await env.DB.prepare("SELECT refused_attempts AS refused FROM audit_events WHERE email = ? AND event = 'login_locked_out'")
      .bind(admin.email)
      .first<{ refused: number }>()) ?? { refused: -1 };
    expect(refused).toBe(3);
    expect(await tallyOf(client)).toEqual([]);
  });
});

describe("the failure-run window", () => {
  it("counts from 1 again once a run has had no failure for the window, for any email, whenever the purge last ran", async () => {
    const admin = await createAdmin();
    for (const email of [admin.email, unknownEmail()]) {
      vi.setSystemTime(START);
      for (let i = 0; i < 4; i++) expect((await attempt(email, `guess ${i}`, randomClientIp())).status).toBe(401);
      vi.setSystemTime(START + FAILURE_RUN_WINDOW_MS);
      expect((await attempt(email, "a fresh run", randomClientIp())).status).toBe(401);
      expect(await throttleOf(email)).toEqual({ failures: 1, locked_until: null });
    }
  });

  it("keeps a run whose last failure is within the window: the fifth failure locks", async () => {
    const email = unknownEmail();
    for (let i = 0; i < 4; i++) expect((await attempt(email, `guess ${i}`, randomClientIp())).status).toBe(401);
    vi.setSystemTime(START + FAILURE_RUN_WINDOW_MS - 1);
    expect((await attempt(email, "fifth", randomClientIp())).status).toBe(401);
    expect((await attempt(email, "sixth", randomClientIp())).status).toBe(429);
  });

  it("lets no more than LOGIN_MAX_FAILURES of a parallel burst through when the run it finds is over", async () => {
    const email = unknownEmail();
    for (let i = 0; i < 4; i++) expect((await attempt(email, `guess ${i}`, randomClientIp())).status).toBe(401);
    vi.setSystemTime(START + FAILURE_RUN_WINDOW_MS);
    const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => attempt(email, `burst ${i}`, randomClientIp())));
    expect(responses.map((response) => response.status).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429]);
  });
});

describe("the hourly purge", () => {
  it("deletes a throttle row once its run is over, keeps one inside the window or under a lock, and keeps tallies a year", async () => {
    const [over, recent, locked] = [unknownEmail(), unknownEmail(), unknownEmail()];
    const client = randomClientIp();
    for (const email of [over, recent]) expect((await attempt(email, "a guess", client)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await attempt(locked, `guess ${i}`, client)).status).toBe(401);
    vi.setSystemTime(START + 1);
    expect((await attempt(recent, "later", client)).status).toBe(401);
    // A lock in force when the window has passed (longer than the 900 s cap, as only a row changed by hand can have).
    await env.DB.prepare("UPDATE login_throttle SET locked_until = ? WHERE email = ?")
      .bind(START + FAILURE_RUN_WINDOW_MS + 60_000, locked)
      .run();

    await purgeAt(START + FAILURE_RUN_WINDOW_MS - 1);
    expect(await throttleOf(over)).not.toBeNull();
    await purgeAt(START + FAILURE_RUN_WINDOW_MS);
    expect(await throttleOf(over)).toBeNull();
    expect(await throttleOf(recent)).not.toBeNull();
    expect(await throttleOf(locked)).not.toBeNull();

    const hour = START - 45 * 60_000;
    await purgeAt(hour + 365 * 24 * HOUR);
    expect(await tallyOf(client)).toHaveLength(1);
    await purgeAt(hour + 365 * 24 * HOUR + 1);
    expect(await tallyOf(client)).toEqual([]);
  });
});
