import { database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { ApiError } from "../errors/api-error.ts";
import { isSessionRevoked } from "../sessions/revocation-cache.ts";
import { findSessionAdmin, isWithinLife } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * The admin behind an access token whose session is still live. KV and D1 are
 * asked at once (one round trip of latency); either one knowing of a
 * revocation is enough. The D1 read may be served by a nearby replica; a
 * session too new to have reached it is looked up again on the primary.
 */
export async function currentAdmin(ctx: AuthContext, claims: TokenClaims): Promise<AdminRow> {
  const nearest = database(ctx.d1.withSession("first-unconstrained"));
  const [revokedAtEdge, nearby] = await storage(Promise.all([isSessionRevoked(ctx.kv, claims.sid), findSessionAdmin(nearest, claims.sid, claims.sub)]));
  if (revokedAtEdge) throw new ApiError("invalid_access_token");
  const row = nearby ?? (await storage(findSessionAdmin(database(ctx.d1), claims.sid, claims.sub)));
  if (!row || row.revokedAt !== null || !isWithinLife(row, sessionClock(ctx)) || !row.admin.isActive) {
    throw new ApiError("invalid_access_token");
  }
  return row.admin;
}
