import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { type Fault, faultyD1, faultyKv } from "./support/faulty-bindings.ts";
import { BASE_URL, bearer, call, createAdmin, loginAs, PREFIX, randomClientIp } from "./support/worker.ts";

const UNAVAILABLE = '{"detail":"Service Unavailable"}';

let errorLines: string[] = [];
beforeEach(() => {
  errorLines = [];
  vi.spyOn(console, "error").mockImplementation((line: string) => errorLines.push(line));
});
afterEach(() => vi.restoreAllMocks());

async function send(bindings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(BASE_URL + path, init);
  request.headers.set("cf-connecting-ip", randomClientIp());
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function loginRequest(email: string, password: string): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) };
}

async function sessionRows(adminId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE admin_id = ?").bind(adminId).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("D1 failing", () => {
  it.each<Fault>(["throw", "hang"])(
    "login answers 503 when D1 calls %s, and logs why",
    async (fault) => {
      const admin = await createAdmin();
      const response = await send({ DB: faultyD1(fault) }, `${PREFIX}/login`, loginRequest(admin.email, admin.password));
      expect(response.status).toBe(503);
      expect(await response.text()).toBe(UNAVAILABLE);
      expect(errorLines.join("\n")).toMatch(fault === "throw" ? /simulated storage failure/ : /timed out/);
      expect(await sessionRows(admin.id)).toBe(0);
    },
    15_000,
  );

  it.each([
    ["me", "GET", "/me"],
    ["logout", "POST", "/logout"],
  ])("%s answers 503 when D1 fails", async (_name, method, path) => {
    const tokens = await loginAs(await createAdmin());
    const response = await send({ DB: faultyD1("throw") }, `${PREFIX}${path}`, { method, headers: bearer(tokens.access_token) });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(UNAVAILABLE);
  });

  it("refresh answers 503 when D1 fails, and the token still works afterwards", async () => {
    const tokens = await loginAs(await createAdmin());
    const body = JSON.stringify({ refresh_token: tokens.refresh_token });
    const init = { method: "POST", headers: { "content-type": "application/json" }, body };
    expect((await send({ DB: faultyD1("throw") }, `${PREFIX}/refresh`, init)).status).toBe(503);
    expect((await send({}, `${PREFIX}/refresh`, init)).status).toBe(200);
  });

  it("a login's writes are one batch: a failed batch leaves no session and no half-recorded login", async () => {
    const admin = await createAdmin();
    const realDb = env.DB;
    const failingBatch = new Proxy(realDb, {
      get(target, property) {
        if (property === "batch")
          return (statements: D1PreparedStatement[]) =>
            statements.length > 2 ? Promise.reject(new Error("D1_ERROR: batch aborted")) : target.batch(statements);
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await send({ DB: failingBatch }, `${PREFIX}/login`, loginRequest(admin.email, admin.password));
    expect(response.status).toBe(503);
    expect(await sessionRows(admin.id)).toBe(0);
    const row = await env.DB.prepare("SELECT last_login_at FROM admins WHERE id = ?").bind(admin.id).first();
    expect(row).toEqual({ last_login_at: null });
  });
});

describe("KV failing", () => {
  it("me answers 503 when the revocation cache cannot be read", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await send({ REVOCATIONS: faultyKv("throw", ["get"]) }, `${PREFIX}/me`, { headers: bearer(tokens.access_token) });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(UNAVAILABLE);
  });

  it("a logout whose KV write fails is still a logout: D1 holds the revocation", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await send({ REVOCATIONS: faultyKv("throw", ["put"]) }, `${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    expect(response.status).toBe(200);
    expect(errorLines.join("\n")).toMatch(/deferred write failed/);
    const sid = decodeJwt(tokens.access_token).sid;
    expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBeNull();
    expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
  });

  it("a replay whose KV write fails still revokes the session: D1 holds the revocation", async () => {
    const tokens = await loginAs(await createAdmin());
    const refresh = (token: string): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: token }),
    });
    const second = await (await send({}, `${PREFIX}/refresh`, refresh(tokens.refresh_token))).json<{ refresh_token: string }>();
    const sid = decodeJwt(tokens.refresh_token).sid;
    // Past REFRESH_REUSE_INTERVAL, so presenting the rotated-out token again is a replay.
    await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - 60000 WHERE id = ?").bind(sid).run();
    expect((await send({ REVOCATIONS: faultyKv("throw", ["put"]) }, `${PREFIX}/refresh`, refresh(tokens.refresh_token))).status).toBe(401);
    expect(errorLines.join("\n")).toMatch(/deferred write failed/);
    expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBeNull();
    expect((await send({}, `${PREFIX}/refresh`, refresh(second.refresh_token))).status).toBe(401);
  });
});
