import { eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { loginThrottle } from "../db/schema.ts";

/** However many failures pile up, a lockout never exceeds this. */
export const MAX_LOCKOUT_SECONDS = 900;

export interface LockoutPolicy {
  maxFailures: number;
  lockoutSeconds: number;
}

export type ThrottleRow = typeof loginThrottle.$inferSelect;

/** Emails are throttled as they are matched: case-insensitively. */
export function throttleKey(email: string): string {
  return email.toLowerCase();
}

export function findThrottle(db: Database, key: string) {
  return db.select().from(loginThrottle).where(eq(loginThrottle.email, key)).limit(1);
}

/** Seconds left on a lockout, or 0. */
export function lockedForSeconds(row: ThrottleRow | undefined, now: number): number {
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil - now) / 1000);
}

/**
 * Counts one failure atomically (concurrent failures are all counted) and, from
 * the `maxFailures`-th on, locks the email for `lockoutSeconds`, doubling with
 * each further failure up to 900 s.
 */
export function recordFailure(db: Database, key: string, now: number, policy: LockoutPolicy) {
  const lockUntil = (failures: SQL) =>
    sql`case when ${failures} >= ${policy.maxFailures}
      then ${now} + 1000 * min(${MAX_LOCKOUT_SECONDS}, ${policy.lockoutSeconds} << min(${failures} - ${policy.maxFailures}, 16))
      else null end`;
  return db
    .insert(loginThrottle)
    .values({ email: key, failures: 1, lastFailureAt: now, lockedUntil: lockUntil(sql`1`) })
    .onConflictDoUpdate({
      target: loginThrottle.email,
      set: {
        failures: sql`${loginThrottle.failures} + 1`,
        lastFailureAt: now,
        lockedUntil: sql`coalesce(${lockUntil(sql`${loginThrottle.failures} + 1`)}, ${loginThrottle.lockedUntil})`,
      },
    });
}

/** A success ends the run of consecutive failures. */
export function clearFailures(db: Database, key: string) {
  return db.delete(loginThrottle).where(eq(loginThrottle.email, key));
}

/** Whether the failure just recorded started a lockout (for the audit row in the same batch). */
export function lockedAfterFailure(key: string, now: number) {
  return sql`exists (select 1 from ${loginThrottle} where ${loginThrottle.email} = ${key} and ${loginThrottle.lockedUntil} > ${now})`;
}
