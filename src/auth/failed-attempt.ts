import { type SQL, sql } from "drizzle-orm";
import { type AuditEntry, auditIf } from "../audit/audit-log.ts";
import type { Database } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import { isLocked, touchFailure } from "../throttle/login-throttle.ts";
import type { AuthContext } from "./auth-context.ts";

/**
 * The failure was counted before the check (login-throttle.ts); these record
 * why, whether it started a lockout, and when it happened. `onlyIf`, for a failure that only
 * the batch itself can tell (a recovery code found spent): the first
 * statement then returns a row if the failure happened.
 */
export function failedAttemptWrites(ctx: AuthContext, db: Database, key: string, entry: AuditEntry, onlyIf: SQL = sql`1`) {
  return [
    auditIf(db, ctx.now, ctx.origin, entry, onlyIf).returning({ id: auditEvents.id }),
    auditIf(db, ctx.now, ctx.origin, { event: "login_locked_out", email: entry.email, adminId: entry.adminId }, sql`${onlyIf} and ${isLocked(key, ctx.now)}`),
    touchFailure(db, key, ctx.now, onlyIf),
  ] as const;
}

export function recordFailedAttempt(ctx: AuthContext, db: Database, key: string, entry: AuditEntry) {
  return db.batch(failedAttemptWrites(ctx, db, key, entry));
}
