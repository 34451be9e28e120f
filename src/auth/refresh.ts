import { database, storage } from "../db/client.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { readRefreshRevocation, recordRefreshRotated, recordSessionRevoked } from "../sessions/revocation-cache.ts";
import { rotateRefreshToken } from "../sessions/session-store.ts";
import { verifyToken } from "../tokens/verify-token.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, longestLife, refreshExpiresAt, sessionClock, type TokenPair } from "./issue-tokens.ts";

/**
 * One KV read (the edge may already know the answer), one D1 batch (which
 * decides), one deferred KV write (so other refreshes at this edge can be
 * refused without D1).
 */
export async function refresh(ctx: AuthContext, refreshToken: string): Promise<TokenPair> {
  const claims = await verifyToken(ctx.keyring, "refresh", refreshToken, ctx.config, longestLife(ctx.config, "refresh"));
  if (!claims) throw new ApiError("invalid_refresh_token");

  const cached = await storage(readRefreshRevocation(ctx.kv, claims.sid, claims.jti));
  const reuseIntervalMs = ctx.config.refreshReuseInterval * 1000;
  // Only a refusal without revoking can be decided here; with no grace (0) D1 must see the replay and revoke.
  const inRaceWindow = cached.rotatedAt !== null && ctx.now - cached.rotatedAt < reuseIntervalMs;
  if (cached.sessionRevoked || inRaceWindow) throw new ApiError("invalid_refresh_token");

  const nextJti = randomId();
  const outcome = await storage(
    rotateRefreshToken(
      database(ctx.d1),
      {
        sessionId: claims.sid,
        adminId: claims.sub,
        presentedJti: claims.jti,
        nextJti,
        clock: sessionClock(ctx),
        reuseIntervalMs,
        expiresAt: refreshExpiresAt(ctx),
        maxLifetimeMs: ctx.config.sessionMaxLifetime * 1000,
      },
      ctx.origin,
    ),
  );
  if (outcome.kind === "reuse_detected") {
    ctx.defer(recordSessionRevoked(ctx.kv, claims.sid, "refresh_token_reuse", outcome.expiresAt, ctx.now));
  }
  if (outcome.kind !== "rotated") throw new ApiError("invalid_refresh_token");

  ctx.defer(recordRefreshRotated(ctx.kv, claims.jti, claims.exp * 1000, ctx.now));
  return issueTokens(ctx, { adminId: claims.sub, sessionId: claims.sid, refreshJti: nextJti, amr: outcome.amr, expiresAt: outcome.expiresAt });
}
