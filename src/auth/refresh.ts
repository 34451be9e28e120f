import { database, storage } from "../db/client.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { isSessionRevoked, recordSessionRevoked } from "../sessions/revocation-cache.ts";
import { rotateRefreshToken } from "../sessions/session-store.ts";
import { verifyToken } from "../tokens/verify-token.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, longestLife, refreshExpiresAt, sessionClock, type TokenPair } from "./issue-tokens.ts";

/**
 * One KV read (the edge may already know the session is revoked) and one D1
 * batch, which decides everything else; a KV write only when it revokes. The
 * session's rate limit, asked beside the KV read, caps the audit rows its
 * rotations write, never the rotations.
 */
export async function refresh(ctx: AuthContext, refreshToken: string): Promise<TokenPair> {
  const claims = await verifyToken(ctx.keyring, "refresh", refreshToken, ctx.config, longestLife(ctx.config, "refresh"));
  if (!claims) throw new ApiError("invalid_refresh_token");

  // KV may only refuse a revoked session. Whether a rotated-out token is a racing tab's (refused) or a
  // replay (revokes the session, RFC 9700 §4.14.2) is D1's to say: an edge's copy of a rotation would make
  // the answer depend on which edge saw it. Beside the KV read, the session's rate limit (a counter next to
  // the worker) says whether this rotation may write its audit row.
  const [revoked, allowance] = await storage(Promise.all([isSessionRevoked(ctx.kv, claims.sid), ctx.sessionRateLimiter.limit({ key: claims.sid })]));
  if (revoked) throw new ApiError("invalid_refresh_token");

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
        reuseIntervalMs: ctx.config.refreshReuseInterval * 1000,
        expiresAt: refreshExpiresAt(ctx),
        maxLifetimeMs: ctx.config.sessionMaxLifetime * 1000,
        audited: allowance.success,
      },
      ctx.origin,
    ),
  );
  if (outcome.kind === "reuse_detected") {
    ctx.defer(recordSessionRevoked(ctx.kv, claims.sid, "refresh_token_reuse", outcome.expiresAt, ctx.now));
  }
  if (outcome.kind !== "rotated") throw new ApiError("invalid_refresh_token");
  return issueTokens(ctx, {
    adminId: claims.sub,
    sessionId: claims.sid,
    refreshJti: nextJti,
    amr: outcome.amr,
    expiresAt: outcome.expiresAt,
    authTime: outcome.authTime,
  });
}
