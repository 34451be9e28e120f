import { and, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditEvents, loginThrottle, sessions } from "../db/schema.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A run of failures older than this is forgotten: "consecutive" means within a day. */
const THROTTLE_MEMORY_MS = DAY_MS;
const AUDIT_RETENTION_MS = 365 * DAY_MS;

/**
 * Run by the Cron Trigger so the tables stop growing: expired sessions (their
 * refresh tokens no longer verify, so nothing can be replayed against them),
 * forgotten failure runs, and audit events past retention. One batch.
 */
export async function purgeExpired(db: Database, now: number) {
  const [sessionsDeleted, throttlesDeleted, auditEventsDeleted] = await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db
      .delete(loginThrottle)
      .where(and(lt(loginThrottle.lastFailureAt, now - THROTTLE_MEMORY_MS), or(isNull(loginThrottle.lockedUntil), lt(loginThrottle.lockedUntil, now)))),
    db.delete(auditEvents).where(lt(auditEvents.at, now - AUDIT_RETENTION_MS)),
  ]);
  return {
    sessions: sessionsDeleted.meta.changes,
    throttles: throttlesDeleted.meta.changes,
    auditEvents: auditEventsDeleted.meta.changes,
  };
}
