import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import worker from "../src/index.ts";
import { BASE_URL, bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

function claimsOf(token: string): { sid: string; jti: string } {
  return decodeJwt(token);
}

/** Moves a rotation into the past, in D1 and in the KV cache, as if `ms` had gone by. */
async function ageRotation(refreshToken: string, ms: number): Promise<void> {
  const { sid, jti } = claimsOf(refreshToken);
  await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - ? WHERE id = ?").bind(ms, sid).run();
  await vi.waitFor(async () => expect(await env.REVOCATIONS.get(`rotated-refresh:${jti}`)).not.toBeNull());
  const rotatedAt = Number(await env.REVOCATIONS.get(`rotated-refresh:${jti}`));
  await env.REVOCATIONS.put(`rotated-refresh:${jti}`, String(rotatedAt - ms));
}

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

  it("a token two rotations old is reuse even inside the interval", async () => {
    const first = await loginAs(await createAdmin());
    const second = await (await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).json<{ refresh_token: string }>();
    const third = await (await postJson(`${PREFIX}/refresh`, { refresh_token: second.refresh_token })).json<{ refresh_token: string }>();
    const { jti } = claimsOf(first.refresh_token);
    await env.REVOCATIONS.delete(`rotated-refresh:${jti}`);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).status).toBe(401);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: third.refresh_token })).status).toBe(401);
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
    const refreshStrictly = (refreshToken: string) =>
      worker.fetch(
        new Request(`${BASE_URL}${PREFIX}/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh_token: refreshToken }),
        }),
        strict,
        createExecutionContext(),
      );

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
      const second = await rotated.json<{ refresh_token: string; access_token: string }>();
      // The KV copy of the rotation is already there: it must not turn the replay into a mere refusal.
      const { sid, jti } = claimsOf(first.refresh_token);
      await vi.waitFor(async () => expect(await env.REVOCATIONS.get(`rotated-refresh:${jti}`)).not.toBeNull());

      const replay = await refreshStrictly(first.refresh_token);
      expect([replay.status, await replay.text()]).toEqual([401, '{"detail":"Invalid refresh token"}']);
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
