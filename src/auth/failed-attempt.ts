import { type SQL, sql } from "drizzle-orm";
import { type AuditEntry, auditIf } from "../audit/audit-log.ts";
import type { Database } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import { isLocked } from "../throttle/login-throttle.ts";
import type { AuthContext } from "./auth-context.ts";

/**
 * The failure was counted before the check (login-throttle.ts); these record
 * why, and whether it started a lockout. `onlyIf`, for a failure that only
 * the batch itself can tell (a recovery code found spent): the first
 * statement then returns a row if the failure happened.
 */
export function failedAttemptAudit(ctx: AuthContext, db: Database, key: string, entry: AuditEntry, onlyIf: SQL = sql`1`) {
  return [
    auditIf(db, ctx.now, ctx.origin, entry, onlyIf).returning({ id: auditEvents.id }),
    auditIf(db, ctx.now, ctx.origin, { event: "login_locked_out", email: entry.email, adminId: entry.adminId }, sql`${onlyIf} and ${isLocked(key, ctx.now)}`),
  ] as const;
}

export function recordFailedAttempt(ctx: AuthContext, db: Database, key: string, entry: AuditEntry) {
  return db.batch(failedAttemptAudit(ctx, db, key, entry));
}
