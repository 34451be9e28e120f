import { and, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteInsertBase } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client.ts";
import { constantColumns, constantRowIf } from "../db/constant-columns.ts";
import { admins, auditEvents, loginThrottle } from "../db/schema.ts";

/** However many failures pile up, a lockout never exceeds this. */
const MAX_LOCKOUT_SECONDS = 900;

/**
 * A run of failures with none for this long, and no lock in force, is over:
 * the next attempt counts from 1, and the hourly purge deletes its row, so
 * the table holds the emails tried in the last window and purge interval,
 * not every email ever tried. The same for every email, known or not (a
 * window that differed would tell which emails exist). Two hours is the
 * shortest window in which waiting for a run to end gains a guesser nothing:
 * a run's first 900 s allow 9 guesses (5, then one after each lock of 60,
 * 120, 240 and 480 s), and a run kept locked at the 900 s cap allows 9 in
 * those 900 s plus the window. A shorter one would raise the 103 guesses a
 * day per email that the lockout allows (README "Security model").
 */
export const FAILURE_RUN_WINDOW_MS = 2 * 60 * 60 * 1000;

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
 * Counts a login failure once its check has failed, in one atomic upsert that
 * does nothing while the email is locked, and only if `onlyIf` holds inside
 * the batch (that the primary agrees with what the check read). Parallel
 * failures are serialised by D1's primary, so at most `maxFailures` of them
 * are counted before the lock, and each guess is answered by its own count.
 * A success deletes the row.
 *
 * The failure that reaches `maxFailures` sets the lock for `lockoutSeconds`,
 * doubling with each further failure, up to 900 s. Returns the counted row,
 * or nothing when the email is locked or `onlyIf` did not hold.
 */
export function countFailure(db: Database, key: string, now: number, policy: LockoutPolicy, onlyIf: SQL) {
  const row = constantRowIf(db, { email: key, ...firstCount(now, policy) }, onlyIf);
  // Known to be a failure, it dates the run at once.
  return upsertAttempt(db.insert(loginThrottle).select(row as never), now, policy, sql`${now}`);
}

/** A new row's columns after `email`, in the table's order (as `constantColumns` needs them). */
function firstCount(now: number, policy: LockoutPolicy) {
  return { failures: 1, lockedUntil: lockUntil(sql`1`, now, policy), lastFailureAt: now, lockedAt: lockedAt(sql`1`, now, policy), refusedAttempts: 0 };
}

/**
 * The same count for an action of a logged-in admin that checks something
 * guessable (an MFA code): against the email of the admin behind the session,
 * and only while that session is live, so a revoked token cannot lock anyone out.
 */
export function countSessionAttempt(db: Database, liveSession: SQL, adminId: string, now: number, policy: LockoutPolicy) {
  const attempt = db
    .select({
      email: sql`lower(${admins.email})`.as("email"),
      ...constantColumns(firstCount(now, policy)),
    })
    .from(admins)
    .where(and(eq(admins.id, adminId), liveSession));
  return upsertAttempt(
    db.insert(loginThrottle).select(attempt as never),
    now,
    policy,
    sql`case when ${runIsOver(now)} then ${now} else ${loginThrottle.lastFailureAt} end`,
  );
}

/**
 * `lastFailureAt`: what dates the run. A failure counted once known dates it
 * by itself; an attempt counted before its check (`countSessionAttempt`)
 * leaves it alone while the run goes on, as it may turn out to be none, and
 * a failure sets it when it is recorded (`touchFailure`). A run that is over
 * (`runIsOver`) is counted from 1, as if its row had been purged, so the
 * count never depends on when the purge last ran; the new run is dated by
 * this attempt at once, or parallel attempts would each find the old run
 * over and each count 1.
 */
function upsertAttempt(insert: SQLiteInsertBase<typeof loginThrottle, "async", D1Result>, now: number, policy: LockoutPolicy, lastFailureAt: SQL) {
  const failures = nextFailureCount(now);
  return insert
    .onConflictDoUpdate({
      target: loginThrottle.email,
      set: {
        failures,
        lockedUntil: lockUntil(failures, now, policy),
        lockedAt: lockedAt(failures, now, policy),
        lastFailureAt,
        refusedAttempts: 0,
      },
      setWhere: or(isNull(loginThrottle.lockedUntil), lte(loginThrottle.lockedUntil, now)),
    })
    .returning({ failures: loginThrottle.failures });
}

/** The count a failure would make of the email's row: 1 once the run is over. */
function nextFailureCount(now: number) {
  return sql`case when ${runIsOver(now)} then 1 else ${loginThrottle.failures} + 1 end`;
}

/**
 * Inside a batch, before `countFailure`: the failure it would count would
 * set a lock (the email's first failure counts 1).
 */
export function failureWouldLock(key: string, now: number, policy: LockoutPolicy) {
  return sql`coalesce((select ${nextFailureCount(now)} from ${loginThrottle} where ${loginThrottle.email} = ${key}), 1) >= ${policy.maxFailures}`;
}

/** Inside a batch: the email is locked now. */
export function lockInForce(key: string, now: number) {
  return sql`exists (select 1 from ${loginThrottle} where ${loginThrottle.email} = ${key} and ${loginThrottle.lockedUntil} > ${now})`;
}

/**
 * A run with no failure for `FAILURE_RUN_WINDOW_MS` and no lock in force:
 * counting starts again, and the purge deletes the row. One condition for
 * both, so the count never depends on when the purge last ran.
 */
export function runIsOver(now: number) {
  return and(lte(loginThrottle.lastFailureAt, now - FAILURE_RUN_WINDOW_MS), or(isNull(loginThrottle.lockedUntil), lte(loginThrottle.lockedUntil, now))) as SQL;
}

/** A count that reaches the limit sets a lock: this is when. */
function lockedAt(failures: SQL, now: number, policy: LockoutPolicy) {
  return sql`case when ${failures} >= ${policy.maxFailures} then ${now} else null end`;
}

function lockUntil(failures: SQL, now: number, policy: LockoutPolicy) {
  return sql`case when ${failures} >= ${policy.maxFailures}
    then ${now} + 1000 * min(${MAX_LOCKOUT_SECONDS}, ${policy.lockoutSeconds} << min(${failures} - ${policy.maxFailures}, 16))
    else null end`;
}

/**
 * Takes back an attempt counted before its check, once the check shows it was
 * no failure (a right password still waiting for its code, a right code): it
 * neither counts toward a lockout nor resets one, and the run keeps its date.
 * `counted` is the count the attempt itself returned. While the failures left
 * stay under the limit the email is unlocked; at or over it, a lock this
 * attempt set goes (the one before had expired, or the attempt would not have
 * been counted), and a lock set by later attempts stays. A row left with no
 * failure goes, as if the attempt had never come.
 */
export function uncountAttempt(db: Database, key: string, counted: number, policy: LockoutPolicy, onlyIf?: SQL) {
  const liftsLock = sql`${loginThrottle.failures} - 1 < ${policy.maxFailures} or ${loginThrottle.failures} = ${counted}`;
  return [
    db
      .update(loginThrottle)
      .set({
        failures: sql`${loginThrottle.failures} - 1`,
        lockedUntil: sql`case when ${liftsLock} then null else ${loginThrottle.lockedUntil} end`,
        lockedAt: sql`case when ${liftsLock} then null else ${loginThrottle.lockedAt} end`,
      })
      .where(and(eq(loginThrottle.email, key), gt(loginThrottle.failures, 0), onlyIf)),
    db.delete(loginThrottle).where(and(eq(loginThrottle.email, key), eq(loginThrottle.failures, 0), isNull(loginThrottle.lockedUntil), onlyIf)),
  ] as const;
}

export function findThrottle(db: Database, key: string | SQL) {
  return db.select().from(loginThrottle).where(eq(loginThrottle.email, key)).limit(1);
}

/** The email key of an admin, inside SQL: `lower()` folds exactly what `emailKey` folds. */
export function adminEmailKey(adminId: string) {
  return sql`(select lower(${admins.email}) from ${admins} where ${admins.id} = ${adminId})`;
}

/** Seconds left on a lockout, or 0. */
export function lockedForSeconds(row: ThrottleRow | undefined, now: number): number {
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil - now) / 1000);
}

/** Dates the run of failures by this one, once it is known to be a failure. */
export function touchFailure(db: Database, key: string, now: number, onlyIf?: SQL) {
  return db
    .update(loginThrottle)
    .set({ lastFailureAt: now })
    .where(and(eq(loginThrottle.email, key), onlyIf));
}

/** A success ends the run of consecutive failures. `onlyIf`: that the login really succeeded. */
export function clearFailures(db: Database, key: string, onlyIf: SQL) {
  return db.delete(loginThrottle).where(and(eq(loginThrottle.email, key), onlyIf));
}

/**
 * An attempt refused because its email is locked: counted against the lock
 * in force, on the throttle row and on the lock's `login_locked_out` audit
 * row (found by the lock's start; the row copies the throttle's count when
 * it is written, so a refusal that comes first is not lost). Never a row of
 * its own: hammering a locked email makes nothing grow. `onlyIf`: for a login
 * decided in one batch, that the primary agrees with what it read.
 */
export function countRefusedAttempt(db: Database, key: string, now: number, onlyIf?: SQL) {
  return [
    db
      .update(loginThrottle)
      .set({ refusedAttempts: sql`${loginThrottle.refusedAttempts} + 1` })
      .where(and(eq(loginThrottle.email, key), gt(loginThrottle.lockedUntil, now), onlyIf)),
    db
      .update(auditEvents)
      .set({ refusedAttempts: sql`${auditEvents.refusedAttempts} + 1` })
      .where(
        and(
          eq(auditEvents.email, key),
          eq(auditEvents.event, "login_locked_out"),
          sql`${auditEvents.at} = (select ${loginThrottle.lockedAt} from ${loginThrottle} where ${loginThrottle.email} = ${key})`,
          onlyIf,
        ),
      ),
  ] as const;
}

/** What a lock has refused so far, for its audit row. */
export function refusedSoFar(key: string) {
  return sql`coalesce((select ${loginThrottle.refusedAttempts} from ${loginThrottle} where ${loginThrottle.email} = ${key}), 0)`;
}

/** Whether the lock in force was set at `lockedAt`: by the count of the attempt made then. */
export function lockSetAt(key: string, lockedAt: number) {
  return sql`exists (select 1 from ${loginThrottle} where ${loginThrottle.email} = ${key} and ${loginThrottle.lockedAt} = ${lockedAt}
    and ${loginThrottle.lockedUntil} > ${lockedAt})`;
}
