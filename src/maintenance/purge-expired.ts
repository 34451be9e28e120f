import { and, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditEvents, loginThrottle, sessions } from "../db/schema.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A run of failures older than this is forgotten: "consecutive" means within a day. */
export const THROTTLE_MEMORY_MS = DAY_MS;
export const AUDIT_RETENTION_MS = 365 * DAY_MS;

/**
 * Run by the Cron Trigger so the tables stop growing: expired sessions (their
 * refresh tokens no longer verify, so nothing can be replayed against them),
 * forgotten failure runs, and audit events past retention. One batch.
 */
export async function purgeExpired(db: Database, now: number) {
  const [expiredSessions, staleThrottles, oldAuditEvents] = await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id }),
    db
      .delete(loginThrottle)
      .where(
        and(
          lt(loginThrottle.lastFailureAt, now - THROTTLE_MEMORY_MS),
          or(isNull(loginThrottle.lockedUntil), lt(loginThrottle.lockedUntil, now)),
        ),
      )
      .returning({ email: loginThrottle.email }),
    db.delete(auditEvents).where(lt(auditEvents.at, now - AUDIT_RETENTION_MS)).returning({ id: auditEvents.id }),
  ]);
  return { sessions: expiredSessions.length, throttles: staleThrottles.length, auditEvents: oldAuditEvents.length };
}
