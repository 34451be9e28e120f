import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import worker from "../src/index.ts";
import { BASE_URL, bearer, createAdmin, PREFIX, randomClientIp, type TestAdmin } from "./support/worker.ts";

const START = Date.UTC(2026, 10, 30, 12, 0, 0);

/** One environment object for the whole test: the worker parses its configuration once per object. */
const shortLived = { ...env, SESSION_MAX_LIFETIME: "120" };

beforeEach(() => vi.useFakeTimers({ toFake: ["Date"], now: START }));
afterEach(() => vi.useRealTimers());

function at(seconds: number): void {
  vi.setSystemTime(START + seconds * 1000);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  const request = new Request(BASE_URL + path, init);
  request.headers.set("cf-connecting-ip", randomClientIp());
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, shortLived, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function claimsOf(token: string): { iat: number; exp: number } {
  return decodeJwt(token);
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function login(admin: TestAdmin): Promise<Tokens> {
  return (await send(`${PREFIX}/login`, json({ email: admin.email, password: admin.password }))).json();
}

describe("SESSION_MAX_LIFETIME", () => {
  it("is the longest a session lives, however often it is refreshed; past it, the session is expired", async () => {
    const admin = await createAdmin();
    const first = await login(admin);
    const end = START / 1000 + 120;
    expect(claimsOf(first.refresh_token).exp).toBe(end);
    expect(claimsOf(first.access_token).exp).toBe(end);

    at(60);
    const refreshed = await send(`${PREFIX}/refresh`, json({ refresh_token: first.refresh_token }));
    expect(refreshed.status).toBe(200);
    const second = await refreshed.json<Tokens>();
    expect(claimsOf(second.refresh_token).exp).toBe(end);
    expect(claimsOf(second.access_token).exp).toBe(end);
    const session = await env.DB.prepare("SELECT created_at, expires_at FROM sessions WHERE admin_id = ?").bind(admin.id).first();
    expect(session).toEqual({ created_at: START, expires_at: START + 120_000 });

    at(119);
    const last = await (await send(`${PREFIX}/refresh`, json({ refresh_token: second.refresh_token }))).json<Tokens>();
    expect((await send(`${PREFIX}/me`, { headers: bearer(last.access_token) })).status).toBe(200);
    at(121);
    const expired = await send(`${PREFIX}/refresh`, json({ refresh_token: last.refresh_token }));
    expect([expired.status, await expired.text()]).toEqual([401, '{"detail":"Invalid refresh token"}']);
  });

  it("also ends a session that an older release kept sliding past it", async () => {
    const admin = await createAdmin();
    const tokens = await login(admin);
    // As before this setting: created long ago, refreshed just now, expiring in a week.
    await env.DB.prepare("UPDATE sessions SET created_at = ?, expires_at = ? WHERE admin_id = ?")
      .bind(START - 121_000, START + 604_800_000, admin.id)
      .run();
    expect((await send(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
    expect((await send(`${PREFIX}/refresh`, json({ refresh_token: tokens.refresh_token }))).status).toBe(401);
    expect((await send(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(tokens.access_token) })).status).toBe(401);
    const logout = await send(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    expect([logout.status, await logout.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
  });

  it("defaults to 30 days and is validated like the other variables", () => {
    const base = { ...env, SESSION_MAX_LIFETIME: undefined } as Record<string, unknown>;
    expect(parseConfig(base).sessionMaxLifetime).toBe(2_592_000);
    for (const value of ["0", "-5", "30d", ""]) {
      expect(() => parseConfig({ ...base, SESSION_MAX_LIFETIME: value })).toThrow("Invalid configuration: SESSION_MAX_LIFETIME must be a positive integer");
    }
  });
});
