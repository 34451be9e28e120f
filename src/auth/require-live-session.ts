import { database, storage } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { liveSession, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * 401 as for /me unless the access token's session is live. FastAPI runs a
 * route's bearer dependency before it validates the body's fields, so a
 * revoked token is told so rather than how its body would have fared. One
 * D1 read on the primary, paid only by a request whose body is wrong.
 */
export async function requireLiveSession(ctx: AuthContext, claims: TokenClaims): Promise<void> {
  const [row] = await storage(sessionLiveness(database(ctx.d1), liveSession(claims.sid, claims.sub, sessionClock(ctx))));
  if (!row?.live) throw new ApiError("invalid_access_token");
}
