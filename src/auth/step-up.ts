import { auditIf } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { liveSession, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * Step-up (RFC 9470): the routes that change how an admin signs in need a
 * sign-in no older than REAUTH_MAX_AGE, so a stolen access token alone cannot
 * enrol the thief's authenticator or remove the owner's. The token's
 * `auth_time` decides, without storage; a token without one (its session was
 * opened before it was recorded) counts as old. A refusal is for a live
 * session only (a dead one gets the ordinary 401) and is audited, in one D1
 * batch on the primary.
 */
export async function requireRecentSignIn(ctx: AuthContext, claims: TokenClaims): Promise<void> {
  if (signInIsRecent(ctx, claims)) return;
  const maxAge = ctx.config.reauthMaxAge;
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  const [[state]] = await storage(
    db.batch([sessionLiveness(db, live), auditIf(db, ctx.now, ctx.origin, { event: "reauth_required", adminId: claims.sub, sessionId: claims.sid }, live)]),
  );
  if (!state?.live) throw new ApiError("invalid_access_token");
  throw new ApiError("reauth_required", { headers: { "www-authenticate": reauthChallenge(maxAge) } });
}

/** Whether the token's sign-in is within REAUTH_MAX_AGE; a token without `auth_time` counts as old. */
export function signInIsRecent(ctx: AuthContext, claims: TokenClaims): boolean {
  return claims.auth_time !== null && Math.floor(ctx.now / 1000) - claims.auth_time <= ctx.config.reauthMaxAge;
}

/** RFC 9470 §3's challenge: the client signs the admin in again, then retries with the new token. */
export function reauthChallenge(maxAge: number): string {
  return `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${maxAge}`;
}
