import { auditIfChanged } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { isSessionRevoked, recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { endOwnSession, listLiveSessions, liveSession, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/** One session as `GET /sessions` shows it; key order is the wire order. Never a token or a `jti`. */
export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  amr: string[];
  current: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The caller's live sessions, as `/me` reads: the nearest replica and KV at
 * once; the list has the caller's own session in it, or the caller is
 * refused. A session too new for the replica is looked for on the primary.
 */
export async function listOwnSessions(ctx: AuthContext, claims: TokenClaims): Promise<SessionView[]> {
  const clock = sessionClock(ctx);
  const nearest = database(ctx.d1.withSession("first-unconstrained"));
  const [revokedAtEdge, nearby] = await storage(Promise.all([isSessionRevoked(ctx.kv, claims.sid), listLiveSessions(nearest, claims.sub, clock)]));
  if (revokedAtEdge) throw new ApiError("invalid_access_token");
  const includesCaller = (rows: { id: string }[]) => rows.some((row) => row.id === claims.sid);
  const rows = includesCaller(nearby) ? nearby : await storage(listLiveSessions(database(ctx.d1), claims.sub, clock));
  if (!includesCaller(rows)) throw new ApiError("invalid_access_token");
  return rows.map((row) => ({
    id: row.id,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    expires_at: iso(row.expiresAt),
    ip: row.ip,
    user_agent: row.userAgent,
    amr: JSON.parse(row.amr),
    current: row.id === claims.sid,
  }));
}

/**
 * Ends one of the caller's live sessions; the caller's own is a logout. One
 * D1 batch on the primary: whether the caller is live (401 before 404), the
 * conditional revocation, its audit row. Unknown, another admin's, ended:
 * the same 404, so no one learns which sessions exist.
 */
export async function endOwnSessionById(ctx: AuthContext, claims: TokenClaims, sessionId: string): Promise<void> {
  const db = database(ctx.d1);
  const clock = sessionClock(ctx);
  const own = sessionId === claims.sid;
  const [[caller], ended] = await storage(
    db.batch([
      sessionLiveness(db, liveSession(claims.sid, claims.sub, clock)),
      endOwnSession(db, sessionId, claims.sid, claims.sub, clock),
      // Like every event an admin causes, it names the session that asked; the one ended is in `reason`.
      auditIfChanged(db, ctx.now, ctx.origin, {
        event: own ? "logout" : "sessions_revoked",
        reason: own ? undefined : `session:${sessionId}`,
        adminId: claims.sub,
        sessionId: claims.sid,
      }),
    ]),
  );
  if (!caller?.live) throw new ApiError("invalid_access_token");
  if (ended.length === 0) throw new ApiError("not_found");
  ctx.defer(recordSessionsRevoked(ctx.kv, ended, own ? "logout" : "signed_out_elsewhere", ctx.now));
}
