import { lt } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditEvents, loginThrottle, sessions, unknownEmailAttempts, webauthnChallenges } from "../db/schema.ts";
import { runIsOver } from "../throttle/login-throttle.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const AUDIT_RETENTION_MS = 365 * DAY_MS;

/**
 * Run by the Cron Trigger so the tables stop growing: expired sessions (their
 * refresh tokens no longer verify, so nothing can be replayed against them),
 * failure runs that are over (the next attempt would count from 1 anyway),
 * audit events and unknown-email tallies past retention, and used WebAuthn
 * challenges past their expiry (an expired challenge is refused by its
 * signature's date, so its row has nothing left to guard). One batch.
 */
export async function purgeExpired(db: Database, now: number) {
  const [sessionsDeleted, throttlesDeleted, auditEventsDeleted, talliesDeleted, challengesDeleted] = await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db.delete(loginThrottle).where(runIsOver(now)),
    db.delete(auditEvents).where(lt(auditEvents.at, now - AUDIT_RETENTION_MS)),
    db.delete(unknownEmailAttempts).where(lt(unknownEmailAttempts.hour, now - AUDIT_RETENTION_MS)),
    db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now)),
  ]);
  return {
    sessions: sessionsDeleted.meta.changes,
    throttles: throttlesDeleted.meta.changes,
    auditEvents: auditEventsDeleted.meta.changes,
    unknownEmailTallies: talliesDeleted.meta.changes,
    webauthnChallenges: challengesDeleted.meta.changes,
  };
}
