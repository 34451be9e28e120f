import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { d1Interleaving } from "./support/interleaving-d1.ts";
import { takePbkdf2Derivations } from "./support/production-pbkdf2-cap.ts";
import { BASE_URL, call, createAdmin, PREFIX, postJson, randomClientIp } from "./support/worker.ts";

const LOCKED = '{"detail":"Too many login attempts. Try again later."}';

function attempt(email: string, password: string, ip = randomClientIp()): Promise<Response> {
  return postJson(`${PREFIX}/login`, { email, password }, { "cf-connecting-ip": ip });
}

async function failTimes(email: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) expect((await attempt(email, `wrong ${i}`)).status).toBe(401);
}

async function throttleRow(email: string) {
  return env.DB.prepare("SELECT failures, locked_until FROM login_throttle WHERE email = ?")
    .bind(email.toLowerCase())
    .first<{ failures: number; locked_until: number | null }>();
}

/** Ends the current lockout, as if its time had passed. */
async function expireLockout(email: string): Promise<void> {
  await env.DB.prepare("UPDATE login_throttle SET locked_until = ? WHERE email = ?")
    .bind(Date.now() - 1, email.toLowerCase())
    .run();
}

describe("lockout per email", () => {
  it("locks after LOGIN_MAX_FAILURES failures, with Retry-After, and costs no PBKDF2 while locked", async () => {
    const admin = await createAdmin();
    await failTimes(admin.email, 5);
    takePbkdf2Derivations();
    const locked = await attempt(admin.email, admin.password);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toBe(LOCKED);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(takePbkdf2Derivations()).toEqual([]);
  });

  it("locks an email no admin has exactly the same way", async () => {
    const email = `nobody-${crypto.randomUUID()}@example.com`;
    await failTimes(email, 5);
    const locked = await attempt(email, "anything");
    expect(locked.status).toBe(429);
    expect(await locked.text()).toBe(LOCKED);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(55);
  });

  it("doubles the lockout per further failure, up to 900 s", async () => {
    const email = `doubling-${crypto.randomUUID()}@example.com`;
    await failTimes(email, 5);
    const lockouts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await expireLockout(email);
      await failTimes(email, 1);
      lockouts.push(Number((await attempt(email, "x")).headers.get("retry-after")));
    }
    expect(lockouts.map((seconds) => Math.round(seconds / 10) * 10)).toEqual([120, 240, 480, 900, 900, 900]);
  });

  it("is reset by a success", async () => {
    const admin = await createAdmin();
    await failTimes(admin.email, 4);
    expect((await attempt(admin.email, admin.password)).status).toBe(200);
    expect(await throttleRow(admin.email)).toBeNull();
    await failTimes(admin.email, 4);
    expect((await attempt(admin.email, admin.password)).status).toBe(200);
  });

  it("counts concurrent failures atomically", async () => {
    const admin = await createAdmin();
    const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => attempt(admin.email, `wrong ${i}`)));
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect((await throttleRow(admin.email))?.failures).toBe(4);
  });

  it("matches the email case-insensitively", async () => {
    const admin = await createAdmin();
    await failTimes(admin.email.toUpperCase().replace("@EXAMPLE.COM", "@example.com"), 5);
    expect((await attempt(admin.email, admin.password)).status).toBe(429);
  });
});

describe("answers that must not reveal whether an admin exists", () => {
  it("does one PBKDF2 derivation for an unknown email, a wrong password and a disabled account", async () => {
    const admin = await createAdmin();
    const disabled = await createAdmin({ isActive: false });
    for (const [email, password] of [
      [`ghost-${crypto.randomUUID()}@example.com`, "guess"],
      [admin.email, "wrong password"],
      [disabled.email, "wrong password"],
    ] as const) {
      takePbkdf2Derivations();
      const response = await attempt(email, password);
      expect(await response.text()).toBe('{"detail":"Incorrect email or password"}');
      expect(takePbkdf2Derivations()).toEqual([100_000]);
    }
  });

  it("does no derivation for a locked email, known or not", async () => {
    const admin = await createAdmin();
    const ghost = `ghost-${crypto.randomUUID()}@example.com`;
    await failTimes(admin.email, 5);
    await failTimes(ghost, 5);
    for (const email of [admin.email, ghost]) {
      takePbkdf2Derivations();
      expect((await attempt(email, "x")).status).toBe(429);
      expect(takePbkdf2Derivations()).toEqual([]);
    }
  });
});

describe("per-IP rate limit", () => {
  it("allows 10 login attempts per minute from one IP, then 429 with Retry-After", async () => {
    const ip = randomClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt(`ip-${i}-${crypto.randomUUID()}@example.com`, "x", ip)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    const limited = await attempt("other@example.com", "x", ip);
    expect(await limited.text()).toBe(LOCKED);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect((await attempt("other@example.com", "x", randomClientIp())).status).toBe(401);
  });

  it("does not count malformed requests, which never reach a password check", async () => {
    const ip = randomClientIp();
    for (let i = 0; i < 12; i++) {
      const response = await call(`${PREFIX}/login`, { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": ip }, body: "{" });
      expect(response.status).toBe(422);
    }
    expect((await attempt("someone@example.com", "x", ip)).status).toBe(401);
  });
});

describe("lockout under a burst", () => {
  it("answers no more than LOGIN_MAX_FAILURES parallel guesses: each is decided by its own count on the primary", async () => {
    const admin = await createAdmin();
    takePbkdf2Derivations();
    const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => attempt(admin.email, `guess ${i}`)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429]);
    // Read before any was counted, each guess was checked: a derivation at most per request, never more.
    expect(takePbkdf2Derivations().length).toBeLessThanOrEqual(9);
    expect((await throttleRow(admin.email))?.failures).toBe(5);
    expect((await attempt(admin.email, admin.password)).status).toBe(429);
  });
});

describe("a login whose admin changes while it is checked", () => {
  it("is decided again on what the primary read back: a right password that lost to a credential change is no failure", async () => {
    const admin = await createAdmin();
    await failTimes(admin.email, 2);
    const changeStamp = () => env.DB.prepare("UPDATE admins SET security_stamp = 'changed meanwhile' WHERE id = ?").bind(admin.id).run();
    const request = new Request(`${BASE_URL}${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    // The change commits just before the decision batch: its guards find a stamp the check never saw.
    const response = await worker.fetch(request, { ...env, DB: d1Interleaving(1, changeStamp) }, createExecutionContext());
    expect(response.status).toBe(200);
    expect(await throttleRow(admin.email)).toBeNull();
  });
});

describe("the request's clock", () => {
  afterEach(() => vi.useRealTimers());

  it("is read once the body has arrived: a client holding its body back cannot date its attempt in the past", async () => {
    const start = Date.UTC(2026, 10, 30, 12, 0, 0);
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const { email } = await createAdmin();
    const { promise: waiting, resolve: startedWaiting } = Promise.withResolvers<void>();
    const { promise: arrived, resolve: release } = Promise.withResolvers<void>();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        startedWaiting();
        await arrived;
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ email, password: "a guess" })));
        controller.close();
      },
    });
    const request = new Request(`${BASE_URL}${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
      body,
    });
    const pending = worker.fetch(request, env, createExecutionContext());
    // The worker is reading the body; the client sends it a minute later.
    await waiting;
    vi.setSystemTime(start + 62_000);
    release();
    expect((await pending).status).toBe(401);
    const row = await env.DB.prepare("SELECT at FROM audit_events WHERE email = ?").bind(email).first<{ at: number }>();
    expect(row?.at).toBe(start + 62_000);
  });
});
