import { and, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditEvents, loginThrottle, sessions, webauthnChallenges } from "../db/schema.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A run of failures older than this is forgotten: "consecutive" means within a day. */
const THROTTLE_MEMORY_MS = DAY_MS;
const AUDIT_RETENTION_MS = 365 * DAY_MS;

/**
 * Run by the Cron Trigger so the tables stop growing: expired sessions (their
 * refresh tokens no longer verify, so nothing can be replayed against them),
 * forgotten failure runs, audit events past retention, and used WebAuthn
 * challenges past their expiry (an expired challenge is refused by its
 * signature's date, so its row has nothing left to guard). One batch.
 */
export async function purgeExpired(db: Database, now: number) {
  const [sessionsDeleted, throttlesDeleted, auditEventsDeleted, challengesDeleted] = await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db
      .delete(loginThrottle)
      .where(and(lt(loginThrottle.lastFailureAt, now - THROTTLE_MEMORY_MS), or(isNull(loginThrottle.lockedUntil), lt(loginThrottle.lockedUntil, now)))),
    db.delete(auditEvents).where(lt(auditEvents.at, now - AUDIT_RETENTION_MS)),
    db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now)),
  ]);
  return {
    sessions: sessionsDeleted.meta.changes,
    throttles: throttlesDeleted.meta.changes,
    auditEvents: auditEventsDeleted.meta.changes,
    webauthnChallenges: challengesDeleted.meta.changes,
  };
}
