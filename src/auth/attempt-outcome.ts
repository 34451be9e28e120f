import { type SQL, sql } from "drizzle-orm";
import { type AuditEntry, auditIf } from "../audit/audit-log.ts";
import { countUnknownEmailAttempt, tallyKey } from "../audit/unknown-email-tally.ts";
import { type Database, storage } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import { ApiError } from "../errors/api-error.ts";
import { checkSecondFactor, type FactorOwner, type SecondFactor } from "../mfa/second-factor.ts";
import { countFailure, countRefusedAttempt, failureWouldLock, lockSetAt, refusedSoFar, touchFailure, uncountAttempt } from "../throttle/login-throttle.ts";
import type { AuthContext } from "./auth-context.ts";
import { lockoutPolicy } from "./lockout.ts";

/**
 * An attempt counted as a failure before its check (login-throttle.ts). What
 * becomes of it: a failure is recorded and dated; anything else (a right
 * password still waiting for its code, a right code, a check that could not
 * be made) is taken back.
 */
export interface CountedAttempt {
  /** The email as the throttle keys it. */
  key: string;
  /** The failure count this attempt made. */
  counted: number;
}

/**
 * Why the attempt failed, whether it started a lockout, and when it happened.
 * `onlyIf`, for a failure only the batch itself can tell (a recovery code
 * found spent): the first statement then returns a row if the failure happened.
 *
 * A lockout gets one `login_locked_out` row, written by the attempt whose
 * count set the lock (its count reached the limit, and the lock in force
 * dates from it), with what the lock has refused meanwhile. Attempts counted
 * before it that fail after it started record their own failures, not the lockout.
 *
 * Only an admin's email gets those rows (`entry.adminId`); a failure for an
 * email no admin has, and the lock it sets, are counted on the client's tally
 * for the hour instead (see `unknownEmailAttempts`). Both kinds run the same
 * statements, which differ only in a bound value, so neither the work nor
 * the round trips tell them apart.
 */
export function failedAttemptWrites(ctx: AuthContext, db: Database, { key, counted }: CountedAttempt, entry: AuditEntry, onlyIf: SQL = sql`1`) {
  const setTheLock = counted >= ctx.config.loginMaxFailures ? lockSetAt(key, ctx.now) : sql`0`;
  const lockout: AuditEntry = { event: "login_locked_out", email: entry.email, adminId: entry.adminId, refusedAttempts: refusedSoFar(key) };
  const admins = adminsEmail(entry.adminId);
  return [
    auditIf(db, ctx.now, ctx.origin, entry, sql`${onlyIf} and ${admins}`).returning({ id: auditEvents.id }),
    auditIf(db, ctx.now, ctx.origin, lockout, sql`${onlyIf} and ${admins} and ${setTheLock}`),
    countUnknownEmailAttempt(db, tallyKey(ctx), ctx.now, { failures: 1, lockouts: setTheLock }, sql`${onlyIf} and not ${admins}`),
    touchFailure(db, key, ctx.now, onlyIf),
  ] as const;
}

/**
 * A login decided in one batch on the primary (login.ts): nothing was counted
 * before its check, so these statements count it as it is decided. `failed`:
 * the check failed and the primary agrees with what it read, email unlocked;
 * `refused`: the primary agrees, and the lock is in force. Both are judged
 * before `countFailure`, the last statement, changes the row they read, so
 * each guess is answered by its own count, and at most `LOGIN_MAX_FAILURES`
 * are answered before a lock. The failure that sets the lock writes its
 * `login_locked_out` row in the same transaction, before the lock can refuse
 * anything: its refused count starts at 0 (`countRefusedAttempt` adds to it).
 *
 * As for `failedAttemptWrites`: only an admin's email gets audit rows, an
 * email no admin has is counted on the client's tally, and both run the same
 * statements. Returns them with the count last; its row says the failure was counted.
 */
export function decidedAttemptWrites(ctx: AuthContext, db: Database, entry: AuditEntry & { email: string }, outcome: { failed: SQL; refused: SQL }) {
  const { failed, refused } = outcome;
  const policy = lockoutPolicy(ctx);
  const setsTheLock = sql`${failed} and ${failureWouldLock(entry.email, ctx.now, policy)}`;
  const admins = adminsEmail(entry.adminId);
  return [
    auditIf(db, ctx.now, ctx.origin, entry, sql`${failed} and ${admins}`),
    auditIf(db, ctx.now, ctx.origin, { event: "login_locked_out", email: entry.email, adminId: entry.adminId }, sql`${setsTheLock} and ${admins}`),
    countUnknownEmailAttempt(
      db,
      tallyKey(ctx),
      ctx.now,
      { failures: sql`${failed}`, lockouts: setsTheLock, refusedAttempts: sql`${refused}` },
      sql`not ${admins} and (${failed} or ${refused})`,
    ),
    countFailure(db, entry.email, ctx.now, policy, failed),
  ] as const;
}

/**
 * An attempt refused by the lock in force, counted on it (see
 * `countRefusedAttempt`); for an email no admin has, on the client's tally
 * too, as the lock has no row of its own. The same statements either way.
 */
export function recordRefusedAttempt(ctx: AuthContext, db: Database, key: string, adminId: string | undefined) {
  return db.batch([
    ...countRefusedAttempt(db, key, ctx.now),
    countUnknownEmailAttempt(db, tallyKey(ctx), ctx.now, { refusedAttempts: 1 }, sql`not ${adminsEmail(adminId)}`),
  ]);
}

/** Whether the attempt's email is an admin's, as a bound value (a condition of the statements above). */
function adminsEmail(adminId: string | null | undefined): SQL {
  return sql`${adminId ? 1 : 0}`;
}

export function recordFailedAttempt(ctx: AuthContext, db: Database, attempt: CountedAttempt, entry: AuditEntry) {
  return db.batch(failedAttemptWrites(ctx, db, attempt, entry));
}

export function takeBackAttempt(ctx: AuthContext, db: Database, { key, counted }: CountedAttempt, onlyIf?: SQL) {
  return uncountAttempt(db, key, counted, lockoutPolicy(ctx), onlyIf);
}

/**
 * Checks a code; a secret that cannot be opened (its key gone from
 * MFA_ENCRYPTION_KEYS) is the operator's problem, not a wrong guess: the
 * attempt is taken back before the 500, so nobody is locked out of the
 * recovery codes, which need no key.
 */
export async function checkCountedFactor(
  ctx: AuthContext,
  db: Database,
  attempt: CountedAttempt,
  owner: FactorOwner,
  code: string,
): Promise<SecondFactor | null> {
  try {
    return await checkSecondFactor(ctx.secretBox, owner, code, ctx.now);
  } catch (error) {
    if (error instanceof ApiError && error.code === "mfa_secret_unreadable") await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    throw error;
  }
}
