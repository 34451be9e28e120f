import { and, eq, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { loginThrottle } from "../db/schema.ts";

/** However many failures pile up, a lockout never exceeds this. */
const MAX_LOCKOUT_SECONDS = 900;

export interface LockoutPolicy {
  maxFailures: number;
  lockoutSeconds: number;
}

export type ThrottleRow = typeof loginThrottle.$inferSelect;

/**
 * Emails are matched with SQLite's `lower()`, which folds ASCII only; the
 * throttle, the audit log and the CLI fold the same way, so all three agree on
 * which rows belong to one address.
 */
export function emailKey(email: string): string {
  return email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * Counts an attempt as a failure *before* its password is checked, in one
 * atomic upsert that does nothing while the email is locked. Parallel attempts
 * are serialised by D1's primary, so once `maxFailures` of them are counted the
 * rest find the lock and cost no PBKDF2. A success then deletes the row.
 *
 * The attempt that reaches `maxFailures` sets the lock for `lockoutSeconds`,
 * doubling with each further failure, up to 900 s. Returns the counted row, or
 * nothing when the email is locked.
 */
export function countAttempt(db: Database, key: string, now: number, policy: LockoutPolicy) {
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
        lockedUntil: lockUntil(sql`${loginThrottle.failures} + 1`),
      },
      setWhere: or(isNull(loginThrottle.lockedUntil), lte(loginThrottle.lockedUntil, now)),
    })
    .returning({ failures: loginThrottle.failures });
}

export function findThrottle(db: Database, key: string) {
  return db.select().from(loginThrottle).where(eq(loginThrottle.email, key)).limit(1);
}

/** Seconds left on a lockout, or 0. */
export function lockedForSeconds(row: ThrottleRow | undefined, now: number): number {
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil - now) / 1000);
}

/** A success ends the run of consecutive failures. `onlyIf`: that the login really succeeded. */
export function clearFailures(db: Database, key: string, onlyIf: SQL) {
  return db.delete(loginThrottle).where(and(eq(loginThrottle.email, key), onlyIf));
}

/** Whether the email is now locked: true after the failure that reached the limit. */
export function isLocked(key: string, now: number) {
  return sql`exists (select 1 from ${loginThrottle} where ${loginThrottle.email} = ${key} and ${loginThrottle.lockedUntil} > ${now})`;
}
