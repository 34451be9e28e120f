import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import worker from "../src/index.ts";
import { BASE_URL, bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

function claimsOf(token: string): { sid: string; jti: string } {
  return decodeJwt(token);
}

/** Moves a rotation into the past, as if `ms` had gone by. */
async function ageRotation(refreshToken: string, ms: number): Promise<void> {
  await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - ? WHERE id = ?").bind(ms, claimsOf(refreshToken).sid).run();
}

/**
 * A refresh at one edge, with `config` and `kv` as that edge's, answered once
 * every KV write it deferred has been made.
 */
async function refreshAt(refreshToken: string, { config = env, kv = env.REVOCATIONS }: { config?: Env; kv?: KVNamespace } = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${BASE_URL}${PREFIX}/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: refreshToken }),
    }),
    { ...config, REVOCATIONS: kv },
    ctx,
  );
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, body, tokens: () => JSON.parse(body) as { refresh_token: string; access_token: string } };
}

/** This edge's KV as other edges write to it: what they write has not reached it yet. */
const notYetPropagated = new Proxy(env.REVOCATIONS, {
  get(target, property) {
    if (property === "put") return async () => undefined;
    const value = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

const revokedReason = async (refreshToken: string) =>
  (await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE id = ?").bind(claimsOf(refreshToken).sid).first())?.revoked_reason;

describe("refresh token reuse", () => {
  it("inside REFRESH_REUSE_INTERVAL: refused, the session lives", async () => {
    const first = await loginAs(await createAdmin());
    const second = await (await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).json<{ refresh_token: string; access_token: string }>();
    const replay = await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
    expect((await call(`${PREFIX}/me`, { headers: bearer(second.access_token) })).status).toBe(200);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: second.refresh_token })).status).toBe(200);
  });

  it("after REFRESH_REUSE_INTERVAL: the whole session is revoked", async () => {
    const first = await loginAs(await createAdmin());
    const second = await (await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).json<{ refresh_token: string; access_token: string }>();
    await ageRotation(first.refresh_token, 11_000);

    const replay = await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toBe('{"detail":"Invalid refresh token"}');

    const { sid } = claimsOf(first.refresh_token);
    const row = await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE id = ?").bind(sid).first();
    expect(row).toEqual({ revoked_reason: "refresh_token_reuse" });
    await vi.waitFor(async () => expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBe("refresh_token_reuse"));
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: second.refresh_token })).status).toBe(401);
    expect((await call(`${PREFIX}/me`, { headers: bearer(second.access_token) })).status).toBe(401);
  });

  describe("within the default REFRESH_REUSE_INTERVAL (10 s), D1 decides whatever this edge's KV has seen", () => {
    it.each([
      ["has seen both rotations", env.REVOCATIONS],
      ["has seen neither", notYetPropagated],
    ])("a token two rotations old revokes the session: the edge %s", async (_edge, rotatingEdge) => {
      const first = await loginAs(await createAdmin());
      const second = (await refreshAt(first.refresh_token, { kv: rotatingEdge })).tokens();
      const third = (await refreshAt(second.refresh_token, { kv: rotatingEdge })).tokens();

      expect(await refreshAt(first.refresh_token)).toMatchObject({ status: 401, body: '{"detail":"Invalid refresh token"}' });
      expect(await revokedReason(first.refresh_token)).toBe("refresh_token_reuse");
      expect(await env.REVOCATIONS.get(`revoked-session:${claimsOf(first.refresh_token).sid}`)).toBe("refresh_token_reuse");
      expect((await refreshAt(third.refresh_token)).status).toBe(401);
      expect((await call(`${PREFIX}/me`, { headers: bearer(third.access_token) })).status).toBe(401);
    });

    it.each([
      ["has seen the rotation", env.REVOCATIONS],
      ["has not", notYetPropagated],
    ])("the token just rotated out, presented again at once, is refused and the session lives: the edge %s", async (_edge, rotatingEdge) => {
      const first = await loginAs(await createAdmin());
      const second = (await refreshAt(first.refresh_token, { kv: rotatingEdge })).tokens();

      expect(await refreshAt(first.refresh_token)).toMatchObject({ status: 401, body: '{"detail":"Invalid refresh token"}' });
      expect(await revokedReason(first.refresh_token)).toBeNull();
      expect((await refreshAt(second.refresh_token)).status).toBe(200);
    });
  });

  it("a revocation known only to D1 (the KV write lost) still refuses", async () => {
    const tokens = await loginAs(await createAdmin());
    const { sid } = claimsOf(tokens.refresh_token);
    await env.DB.prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = 'logout' WHERE id = ?").bind(Date.now(), sid).run();
    expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).status).toBe(401);
    expect((await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) })).status).toBe(401);
  });

  it("a revocation known only to KV (D1 replica behind) still refuses", async () => {
    const tokens = await loginAs(await createAdmin());
    const { sid } = claimsOf(tokens.refresh_token);
    await env.REVOCATIONS.put(`revoked-session:${sid}`, "logout");
    expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).status).toBe(401);
  });

  it("REFRESH_REUSE_INTERVAL may not outlast the refresh token", () => {
    const ttl = { ...env, REFRESH_TOKEN_TTL: "600" };
    expect(parseConfig({ ...ttl, REFRESH_REUSE_INTERVAL: "600" }).refreshReuseInterval).toBe(600);
    expect(() => parseConfig({ ...ttl, REFRESH_REUSE_INTERVAL: "601" })).toThrow(
      "Invalid configuration: REFRESH_REUSE_INTERVAL must be at most REFRESH_TOKEN_TTL (600)",
    );
  });

  describe("REFRESH_REUSE_INTERVAL=0: no grace", () => {
    const strict = { ...env, REFRESH_REUSE_INTERVAL: "0" };
    const refreshStrictly = (refreshToken: string) => refreshAt(refreshToken, { config: strict });

    it("is a valid setting, and the default stays 10 seconds", () => {
      expect(parseConfig(strict).refreshReuseInterval).toBe(0);
      expect(parseConfig(env).refreshReuseInterval).toBe(10);
      for (const value of ["-1", "1.5", "", " 0"]) {
        expect(() => parseConfig({ ...env, REFRESH_REUSE_INTERVAL: value })).toThrow(
          "Invalid configuration: REFRESH_REUSE_INTERVAL must be 0 or a positive integer",
        );
      }
    });

    it("the second presentation of a rotated-out token, at once, revokes the session", async () => {
      const first = await loginAs(await createAdmin());
      const rotated = await refreshStrictly(first.refresh_token);
      expect(rotated.status).toBe(200);
      const second = rotated.tokens();
      const { sid } = claimsOf(first.refresh_token);

      const replay = await refreshStrictly(first.refresh_token);
      expect([replay.status, replay.body]).toEqual([401, '{"detail":"Invalid refresh token"}']);
      const row = await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE id = ?").bind(sid).first();
      expect(row).toEqual({ revoked_reason: "refresh_token_reuse" });
      expect((await refreshStrictly(second.refresh_token)).status).toBe(401);
      expect((await call(`${PREFIX}/me`, { headers: bearer(second.access_token) })).status).toBe(401);
    });

    it("of two refreshes racing with one token, one wins and the session is revoked", async () => {
      const first = await loginAs(await createAdmin());
      const answers = await Promise.all([refreshStrictly(first.refresh_token), refreshStrictly(first.refresh_token)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      const { sid } = claimsOf(first.refresh_token);
      const row = await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE id = ?").bind(sid).first();
      expect(row).toEqual({ revoked_reason: "refresh_token_reuse" });
    });
  });
});
