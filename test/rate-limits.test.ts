import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { type StandInLimiter, standInLimiter } from "./support/rate-limiters.ts";
import { BASE_URL, bearer, createAdmin, type LoginBody, loginAs, PREFIX, randomClientIp } from "./support/worker.ts";

const TOO_MANY = '{"detail":"Too many login attempts. Try again later."}';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/** One request through the worker's own `fetch`, with some of its bindings swapped for stand-ins; deferred writes are waited for. */
async function send(path: string, init: RequestInit, bindings: Partial<Record<keyof Env, RateLimit>>): Promise<Answer> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(BASE_URL + PREFIX + path, init), { ...env, ...bindings }, ctx);
  const answer = { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.text() };
  await waitOnExecutionContext(ctx);
  return answer;
}

/** A failed login (an email no one has) from `clientIp`. */
function attempt(clientIp: string, bindings: Partial<Record<keyof Env, RateLimit>>): Promise<Answer> {
  return send(
    "/login",
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": clientIp },
      body: JSON.stringify({ email: `nobody-${crypto.randomUUID()}@example.com`, password: "a guess" }),
    },
    bindings,
  );
}

/** A random /48 in 2001:db8::/32 (for documentation), as the first three groups of an address, and the /48 beside it. */
function randomSites(): [string, string] {
  const [group = 0] = crypto.getRandomValues(new Uint16Array(1));
  return [`2001:db8:${group.toString(16)}`, `2001:db8:${(group ^ 1).toString(16)}`];
}

describe("the per-/48 login limit", () => {
  it("refuses the 61st attempt a minute from one /48, each from its own /64, and no other /48", async () => {
    const [site, besideIt] = randomSites();
    const limiters = { LOGIN_RATE_LIMITER: standInLimiter("LOGIN_RATE_LIMITER"), LOGIN_SITE_RATE_LIMITER: standInLimiter("LOGIN_SITE_RATE_LIMITER") };
    const answers: Answer[] = [];
    for (let subnet = 0; subnet <= 60; subnet++) answers.push(await attempt(`${site}:${subnet.toString(16)}::1`, limiters));
    expect(answers.map((answer) => answer.status)).toEqual([...Array(60).fill(401), 429]);
    expect(answers.at(-1)).toEqual({ status: 429, retryAfter: "60", body: TOO_MANY });
    // Each /64 was counted once by the per-client limit, all of them together by the /48's.
    expect(new Set(limiters.LOGIN_RATE_LIMITER.keys).size).toBe(61);
    expect(new Set(limiters.LOGIN_SITE_RATE_LIMITER.keys).size).toBe(1);
    expect((await attempt(`${besideIt}::1`, limiters)).status).toBe(401);
    // 62 logins, each with its PBKDF2 derivation: more than the default 5 s on a busy 2-core machine.
  }, 60_000);

  it("never counts an IPv4 client, however it is written", async () => {
    const refuseAll = standInLimiter("LOGIN_SITE_RATE_LIMITER", 0);
    const limiters = { LOGIN_RATE_LIMITER: standInLimiter("LOGIN_RATE_LIMITER"), LOGIN_SITE_RATE_LIMITER: refuseAll };
    expect((await attempt(randomClientIp(), limiters)).status).toBe(401);
    expect((await attempt(`::ffff:${randomClientIp()}`, limiters)).status).toBe(401);
    expect((await attempt("2001:0db8:0000:0000:0000:0000:0000:0001", limiters)).status).toBe(429);
    expect(refuseAll.keys).toEqual(["2001:db8::/48"]);
  });

  it("is asked at the same time as the per-client limit, not after it", async () => {
    const events: string[] = [];
    const tracing = (name: string): RateLimit => ({
      async limit() {
        events.push(`${name} asked`);
        await new Promise((resolve) => setTimeout(resolve, 0));
        events.push(`${name} answered`);
        return { success: true };
      },
    });
    const response = await attempt(`${randomSites()[0]}::1`, { LOGIN_RATE_LIMITER: tracing("client"), LOGIN_SITE_RATE_LIMITER: tracing("site") });
    expect(response.status).toBe(401);
    expect(events).toEqual(["client asked", "site asked", "client answered", "site answered"]);
  });
});

describe("the per-session limit on bearer routes that write a row per call", () => {
  const WRITES = [
    { method: "POST", path: () => "/mfa/totp/setup", status: 200 },
    { method: "POST", path: () => "/logout?scope=others", status: 200 },
    { method: "DELETE", path: () => `/sessions/${crypto.randomUUID()}`, status: 404 },
  ] as const;

  const call = (write: (typeof WRITES)[number], headers: Record<string, string>, limiter: StandInLimiter) =>
    send(write.path(), { method: write.method, headers: { "cf-connecting-ip": randomClientIp(), ...headers } }, { SESSION_RATE_LIMITER: limiter });

  it("refuses a session past its limit on each of them, and not another session of the same admin", async () => {
    const limiter = standInLimiter("SESSION_RATE_LIMITER");
    const { limit } = env.TEST_RATE_LIMITS.SESSION_RATE_LIMITER as { limit: number };
    const admin = await createAdmin();
    const hammering = (await loginAs(admin)).access_token;

    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await call(WRITES[i % WRITES.length] as (typeof WRITES)[number], bearer(hammering), limiter)).status);
    expect(statuses).toEqual(Array.from({ length: limit }, (_, i) => WRITES[i % WRITES.length]?.status));
    for (const write of WRITES) {
      expect(await call(write, bearer(hammering), limiter)).toEqual({ status: 429, retryAfter: "60", body: TOO_MANY });
    }
    // Reading is not limited: the session itself is alive.
    expect((await send("/me", { headers: bearer(hammering) }, { SESSION_RATE_LIMITER: limiter })).status).toBe(200);

    const other = (await loginAs(admin)).access_token;
    const otherStatuses: number[] = [];
    for (const write of WRITES) otherStatuses.push((await call(write, bearer(other), limiter)).status);
    expect(otherStatuses).toEqual(WRITES.map((write) => write.status));
    expect(new Set(limiter.keys)).toEqual(new Set([decodeJwt(hammering).sid, decodeJwt(other).sid]));
  });

  it("answers 401, not 429, to a request without a valid token, and does not count it", async () => {
    const refuseAll = standInLimiter("SESSION_RATE_LIMITER", 0);
    const { access_token } = await loginAs(await createAdmin());
    for (const write of WRITES) {
      const answers = [
        await call(write, {}, refuseAll),
        await call(write, bearer("not.a.token"), refuseAll),
        await call(write, bearer(access_token), refuseAll),
      ].map((answer) => [answer.status, answer.body]);
      expect(answers).toEqual([
        [401, '{"detail":"Not authenticated"}'],
        [401, '{"detail":"Could not validate credentials"}'],
        [429, TOO_MANY],
      ]);
    }
    expect(refuseAll.keys).toEqual(Array(WRITES.length).fill(decodeJwt(access_token).sid));
  });
});

describe("the per-session limit on the audit rows refreshes write", () => {
  const refreshWith = (refreshToken: string, limiter: StandInLimiter) =>
    send(
      "/refresh",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
        body: JSON.stringify({ refresh_token: refreshToken }),
      },
      { SESSION_RATE_LIMITER: limiter },
    );

  const refreshRows = async (sessionId: string) =>
    (await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE event = 'refresh' AND session_id = ?").bind(sessionId).first<{ n: number }>())?.n;

  /** Refreshes along the session's chain `times` times, each answer's token the next request's; the last token. */
  async function rotate(refreshToken: string, times: number, limiter: StandInLimiter): Promise<string> {
    let token = refreshToken;
    for (let i = 0; i < times; i++) {
      const answer = await refreshWith(token, limiter);
      expect(answer.status).toBe(200);
      token = (JSON.parse(answer.body) as LoginBody).refresh_token;
    }
    return token;
  }

  it("rotates past a session's limit but writes no more rows for it, and still writes another session's", async () => {
    const limiter = standInLimiter("SESSION_RATE_LIMITER");
    const { limit } = env.TEST_RATE_LIMITS.SESSION_RATE_LIMITER as { limit: number };
    const admin = await createAdmin();
    const looping = await loginAs(admin);
    const sessionId = decodeJwt(looping.refresh_token).sid as string;

    const last = await rotate(looping.refresh_token, limit + 5, limiter);
    expect(await refreshRows(sessionId)).toBe(limit);
    // Still rotating: `last` is the current token.
    expect((await refreshWith(last, limiter)).status).toBe(200);

    const other = await loginAs(admin);
    await rotate(other.refresh_token, 1, limiter);
    expect(await refreshRows(decodeJwt(other.refresh_token).sid as string)).toBe(1);
  });

  it("does not count a token that does not verify", async () => {
    const refuseAll = standInLimiter("SESSION_RATE_LIMITER", 0);
    const { access_token } = await loginAs(await createAdmin());
    for (const token of ["not.a.token", access_token]) {
      expect(await refreshWith(token, refuseAll)).toMatchObject({ status: 401, body: '{"detail":"Invalid refresh token"}' });
    }
    expect(refuseAll.keys).toEqual([]);
  });
});
