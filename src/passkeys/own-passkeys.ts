import type { AuthContext } from "../auth/auth-context.ts";
import { sessionClock } from "../auth/issue-tokens.ts";
import { type Database, database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { ApiError } from "../errors/api-error.ts";
import { isSessionRevoked } from "../sessions/revocation-cache.ts";
import { isWithinLife, sessionAdmin } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { listPasskeys, type PasskeyRow } from "./passkey-store.ts";

export interface AdminWithPasskeys {
  admin: AdminRow;
  passkeys: PasskeyRow[];
}

/**
 * The admin behind a live access token and their passkeys, newest first, read
 * as `/me` reads: KV and the nearest replica at once (one batch); a session
 * too new for the replica is looked up again on the primary. Writes that
 * depend on what was read re-check it inside their own batch.
 */
export async function adminWithPasskeys(ctx: AuthContext, claims: TokenClaims): Promise<AdminWithPasskeys> {
  const read = (db: Database) => db.batch([sessionAdmin(db, claims.sid, claims.sub), listPasskeys(db, claims.sub)]);
  const nearest = database(ctx.d1.withSession("first-unconstrained"));
  const [revokedAtEdge, nearby] = await storage(Promise.all([isSessionRevoked(ctx.kv, claims.sid), read(nearest)]));
  if (revokedAtEdge) throw new ApiError("invalid_access_token");
  const [[session], rows] = nearby[0].length > 0 ? nearby : await storage(read(database(ctx.d1)));
  if (!session || session.revokedAt !== null || !isWithinLife(session, sessionClock(ctx)) || !session.admin.isActive) {
    throw new ApiError("invalid_access_token");
  }
  return { admin: session.admin, passkeys: rows };
}
