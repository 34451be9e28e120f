import { and, desc, eq, gt, isNull, ne, type SQL, sql } from "drizzle-orm";
import { auditIfChanged, type RequestOrigin } from "../audit/audit-log.ts";
import type { Database } from "../db/client.ts";
import { constantRowIf } from "../db/constant-columns.ts";
import { admins, sessions } from "../db/schema.ts";

export type RevocationReason =
  | "logout"
  | "refresh_token_reuse"
  | "admin_disabled"
  | "password_changed"
  | "operator"
  | "mfa_enabled"
  | "mfa_disabled"
  | "mfa_reset"
  /** Opened by a passkey that was then removed. */
  | "passkey_removed"
  /** The operator removed every passkey of the admin (lost device). */
  | "passkey_reset"
  /** Turning passkey-only on ends the sessions that a password opened. */
  | "passkey_only_enabled"
  /** Ended by its admin from another of their sessions (`logout?scope=others|global`, `DELETE /sessions/{id}`). */
  | "signed_out_elsewhere";

export interface NewSession {
  id: string;
  adminId: string;
  refreshJti: string;
  now: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
  /** RFC 8176 authentication methods of the login. */
  amr: readonly string[];
  /** When the admin signed in (ms): the tokens' `auth_time`; null when unknown (a session opened before it was recorded), which counts as old. */
  authTime: number | null;
  /** The passkey that signed the admin in, if one did. */
  passkeyId: string | null;
}

/**
 * Opens the session only if `condition` still holds inside the batch: the
 * admin is unchanged since the password was checked (a disable or password
 * change that commits while PBKDF2 runs must not be outlived by a session it
 * never saw), and the second factor, if any, is still unspent.
 */
export function insertSessionIf(db: Database, session: NewSession, condition: SQL) {
  const row = {
    id: session.id,
    adminId: session.adminId,
    refreshJti: session.refreshJti,
    previousRefreshJti: null,
    rotatedAt: null,
    createdAt: session.now,
    lastUsedAt: session.now,
    expiresAt: session.expiresAt,
    revokedAt: null,
    revokedReason: null,
    ip: session.ip,
    userAgent: session.userAgent,
    amr: JSON.stringify(session.amr),
    authTime: session.authTime,
    passkeyId: session.passkeyId,
  };
  return db
    .insert(sessions)
    .select(constantRowIf(db, row, condition) as never)
    .returning({ id: sessions.id });
}

/**
 * When sessions are judged: now, and the earliest a live session can have
 * been opened. Each refresh moves a session's expiry on, but never past its
 * opening plus SESSION_MAX_LIFETIME, so a stolen refresh token kept in use
 * still dies.
 */
export interface SessionClock {
  now: number;
  openedAfter: number;
}

/** The session has not ended: its expiry is ahead, and it was opened within SESSION_MAX_LIFETIME. */
export function withinLife(clock: SessionClock) {
  return sql`${sessions.expiresAt} > ${clock.now} and ${sessions.createdAt} > ${clock.openedAfter}`;
}

/** `withinLife`, for a session row already read. */
export function isWithinLife(session: { expiresAt: number; createdAt: number }, clock: SessionClock): boolean {
  return session.expiresAt > clock.now && session.createdAt > clock.openedAfter;
}

/** One row, `{ live }` (1 or 0): whether `liveSession` holds, for an answer that depends on it. */
export function sessionLiveness(db: Database, live: SQL) {
  return db.select({ live: sql<number>`${live}` }).from(sql`(select 1)`);
}

/** The session is neither revoked nor ended, and its admin is still active: what an access token needs to act. */
export function liveSession(sessionId: string, adminId: string, clock: SessionClock) {
  return sql`exists (select 1 from ${sessions} join ${admins} on ${admins.id} = ${sessions.adminId}
    where ${sessions.id} = ${sessionId} and ${sessions.adminId} = ${adminId} and ${sessions.revokedAt} is null
    and ${withinLife(clock)} and ${admins.isActive})`;
}

/** True once the batch has opened this session. */
export const sessionOpened = (sessionId: string) => sql`exists (select 1 from ${sessions} where ${sessions.id} = ${sessionId})`;

/** Only an active admin's session can be refreshed: a disabled admin's refresh token mints nothing. */
const adminIsActive = (adminId: string) => sql`exists (select 1 from ${admins} where ${admins.id} = ${adminId} and ${admins.isActive})`;

export interface Rotation {
  sessionId: string;
  adminId: string;
  presentedJti: string;
  nextJti: string;
  clock: SessionClock;
  /** A rotated-out token presented within this many ms of its rotation is a race, not a replay; 0: every replay revokes. */
  reuseIntervalMs: number;
  /** The next refresh token's expiry; the session's maximum lifetime may cut it short. */
  expiresAt: number;
  maxLifetimeMs: number;
  /** Whether this rotation gets its `refresh` audit row: false once the session has spent its allowance (`SESSION_RATE_LIMITER`). */
  audited: boolean;
}

export type RotationOutcome =
  | { kind: "rotated"; amr: string[]; expiresAt: number; authTime: number | null }
  | { kind: "reuse_detected"; expiresAt: number }
  | { kind: "refused" };

/**
 * Decides a refresh in one D1 batch (one transaction on the primary), so of N
 * concurrent refreshes of one token exactly one wins:
 *
 * 1. A token that is not the session's current one is a replay (RFC 9700
 *    §4.14.2: refresh token rotation with reuse detection) and revokes the
 *    session — unless it is the token rotated out less than `reuseIntervalMs`
 *    ago, which is the loser of a race (two tabs refreshing at once).
 * 2. The current token is swapped for the next with a conditional UPDATE: only
 *    the first transaction to see `refresh_jti = presented` changes the row.
 *
 * A rotation past the session's rate limit still rotates (the panel's tokens
 * keep working, the replay check is the same) but writes no audit row: the
 * row is what would let a looping or stolen token grow D1 without bound, and
 * the session's `last_used_at` still moves.
 */
export async function rotateRefreshToken(db: Database, rotation: Rotation, origin: RequestOrigin): Promise<RotationOutcome> {
  const { now } = rotation.clock;
  const ownSession = and(eq(sessions.id, rotation.sessionId), eq(sessions.adminId, rotation.adminId), isNull(sessions.revokedAt));
  const subject = { adminId: rotation.adminId, sessionId: rotation.sessionId };
  const writes = [
    db
      .update(sessions)
      .set({ revokedAt: rotation.clock.now, revokedReason: "refresh_token_reuse" satisfies RevocationReason })
      .where(
        and(
          ownSession,
          ne(sessions.refreshJti, rotation.presentedJti),
          // With no grace, even the loser of a race revokes: its clock may read earlier than the winner's rotation.
          rotation.reuseIntervalMs > 0
            ? sql`coalesce(${sessions.previousRefreshJti} = ${rotation.presentedJti} and ${sessions.rotatedAt} > ${rotation.clock.now - rotation.reuseIntervalMs}, 0) = 0`
            : undefined,
        ),
      )
      .returning({ expiresAt: sessions.expiresAt }),
    auditIfChanged(db, now, origin, { event: "refresh_reuse_detected", ...subject }),
    db
      .update(sessions)
      .set({
        refreshJti: rotation.nextJti,
        previousRefreshJti: rotation.presentedJti,
        rotatedAt: now,
        lastUsedAt: now,
        expiresAt: sql`min(${rotation.expiresAt}, ${sessions.createdAt} + ${rotation.maxLifetimeMs})`,
      })
      .where(and(ownSession, eq(sessions.refreshJti, rotation.presentedJti), withinLife(rotation.clock), adminIsActive(rotation.adminId)))
      .returning({ amr: sessions.amr, expiresAt: sessions.expiresAt, authTime: sessions.authTime }),
  ] as const;
  const [replayed, , rotated] = await db.batch(rotation.audited ? [...writes, auditIfChanged(db, now, origin, { event: "refresh", ...subject })] : writes);
  // The session keeps how and when its admin logged in: every refreshed token says it again.
  if (rotated[0]) return { kind: "rotated", amr: JSON.parse(rotated[0].amr), expiresAt: rotated[0].expiresAt, authTime: rotated[0].authTime };
  if (replayed[0]) return { kind: "reuse_detected", expiresAt: replayed[0].expiresAt };
  return { kind: "refused" };
}

/** Logs one live session out; returns its expiry (for the KV copy) or null if it was not live (revoked or expired). */
export async function logoutSession(db: Database, sessionId: string, adminId: string, clock: SessionClock, origin: RequestOrigin) {
  const [[revoked]] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: clock.now, revokedReason: "logout" satisfies RevocationReason })
      .where(and(eq(sessions.id, sessionId), eq(sessions.adminId, adminId), isNull(sessions.revokedAt), withinLife(clock)))
      .returning({ id: sessions.id, expiresAt: sessions.expiresAt }),
    auditIfChanged(db, clock.now, origin, { event: "logout", adminId, sessionId }),
  ]);
  return revoked ?? null;
}

/**
 * Revokes every live session of an admin (disable, password change, MFA
 * change) but `keep` (the caller's own, when the admin changed their MFA or
 * signed out elsewhere), if `onlyIf` holds; returns them for the KV copy.
 */
export function revokeAdminSessions(db: Database, adminId: string, reason: RevocationReason, now: number, options: { keep?: string; onlyIf?: SQL } = {}) {
  const keep = options.keep === undefined ? undefined : ne(sessions.id, options.keep);
  return db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.adminId, adminId), keep, isNull(sessions.revokedAt), gt(sessions.expiresAt, now), options.onlyIf))
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
}

/**
 * The admin behind a session, with what tells whether the session is live, in
 * one read (also as a batch item: D1 returns a batch's rows keyed by column
 * name, so the session's `created_at` is renamed apart from the admin's).
 */
export function sessionAdmin(db: Database, sessionId: string, adminId: string) {
  return db
    .select({
      admin: admins,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      createdAt: sql<number>`${sessions.createdAt}`.mapWith(sessions.createdAt).as("session_created_at"),
    })
    .from(sessions)
    .innerJoin(admins, eq(admins.id, sessions.adminId))
    .where(and(eq(sessions.id, sessionId), eq(sessions.adminId, adminId)))
    .limit(1);
}

/** The admin behind a live session, in one read. */
export async function findSessionAdmin(db: Database, sessionId: string, adminId: string) {
  const [row] = await sessionAdmin(db, sessionId, adminId);
  return row ?? null;
}

/** An admin's live sessions, newest first: what `GET /sessions` shows. */
export function listLiveSessions(db: Database, adminId: string, clock: SessionClock) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      amr: sessions.amr,
    })
    .from(sessions)
    .innerJoin(admins, eq(admins.id, sessions.adminId))
    .where(and(eq(sessions.adminId, adminId), isNull(sessions.revokedAt), withinLife(clock), eq(admins.isActive, true)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
}

/**
 * Ends one live session of an admin, on behalf of another of their live
 * sessions (`caller`): the caller's own is a logout. The condition on the
 * caller is inside the statement, so a session revoked meanwhile ends nothing.
 */
export function endOwnSession(db: Database, target: string, caller: string, adminId: string, clock: SessionClock) {
  const reason: RevocationReason = target === caller ? "logout" : "signed_out_elsewhere";
  return db
    .update(sessions)
    .set({ revokedAt: clock.now, revokedReason: reason })
    .where(and(eq(sessions.id, target), eq(sessions.adminId, adminId), isNull(sessions.revokedAt), withinLife(clock), liveSession(caller, adminId, clock)))
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
}
