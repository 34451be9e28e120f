import type { BatchItem } from "drizzle-orm/batch";
import { auditIf } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { recordSessionRevoked, recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { endOwnSession, liveSession, logoutSession, revokeAdminSessions, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/** Which sessions a logout ends: this one, all but this one, or all (Supabase Auth's sign-out scopes). */
export const LOGOUT_SCOPES = ["local", "others", "global"] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/**
 * `local` revokes the caller's session only. The conditional UPDATE is itself
 * the revocation check (a session already revoked matches nothing), so it
 * needs no KV read: one D1 write, one deferred KV write.
 *
 * `others` and `global` end the admin's other live sessions too, in one D1
 * batch that does so only while the caller's own session is live, then one
 * deferred KV write per session ended.
 */
export async function logout(ctx: AuthContext, claims: TokenClaims, scope: LogoutScope): Promise<void> {
  if (scope === "local") {
    const revoked = await storage(logoutSession(database(ctx.d1), claims.sid, claims.sub, sessionClock(ctx), ctx.origin));
    if (!revoked) throw new ApiError("invalid_access_token");
    ctx.defer(recordSessionRevoked(ctx.kv, claims.sid, "logout", revoked.expiresAt, ctx.now));
    return;
  }
  const db = database(ctx.d1);
  const clock = sessionClock(ctx);
  const live = liveSession(claims.sid, claims.sub, clock);
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    sessionLiveness(db, live),
    revokeAdminSessions(db, claims.sub, "signed_out_elsewhere", ctx.now, { keep: claims.sid, onlyIf: live }),
    auditIf(db, ctx.now, ctx.origin, { event: "sessions_revoked", reason: scope, adminId: claims.sub, sessionId: claims.sid }, live),
  ];
  if (scope === "global") writes.push(endOwnSession(db, claims.sid, claims.sid, claims.sub, clock));
  type Ended = { id: string; expiresAt: number }[];
  const [[caller], others, , own = []] = (await storage(db.batch(writes))) as [{ live: number }[], Ended, unknown, Ended?];
  if (!caller?.live) throw new ApiError("invalid_access_token");
  ctx.defer(Promise.all([recordSessionsRevoked(ctx.kv, others, "signed_out_elsewhere", ctx.now), recordSessionsRevoked(ctx.kv, own, "logout", ctx.now)]));
}
