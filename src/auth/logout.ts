import { database, storage } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { recordSessionRevoked } from "../sessions/revocation-cache.ts";
import { logoutSession } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * Revokes the caller's session only. The conditional UPDATE is itself the
 * revocation check (a session already revoked matches nothing), so logout
 * needs no KV read: one D1 write, one deferred KV write.
 */
export async function logout(ctx: AuthContext, claims: TokenClaims): Promise<void> {
  const revoked = await storage(logoutSession(database(ctx.d1), claims.sid, claims.sub, sessionClock(ctx), ctx.origin));
  if (!revoked) throw new ApiError("invalid_access_token");
  ctx.defer(recordSessionRevoked(ctx.kv, claims.sid, "logout", revoked.expiresAt, ctx.now));
}
