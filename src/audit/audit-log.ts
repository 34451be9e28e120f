import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { constantColumns } from "../db/constant-columns.ts";
import { type AuditEvent, auditEvents } from "../db/schema.ts";

/** Who was on the other end: recorded with every audit event. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  /** The Cloudflare data center that served the request. */
  colo: string | null;
}

export interface AuditEntry {
  event: AuditEvent;
  reason?: string;
  email?: string | null;
  adminId?: string | null;
  sessionId?: string | null;
}

/** An audit row, to be written in the same batch as the change it records. */
export function audit(db: Database, at: number, origin: RequestOrigin, entry: AuditEntry) {
  return db.insert(auditEvents).values(row(at, origin, entry));
}

/**
 * An audit row written only if the statement just before it in the batch
 * changed something: SQLite's `changes()` is the row count of the previous
 * statement on the connection, and a D1 batch runs its statements in order on
 * one. A conditional UPDATE and its audit row thus commit, or not, together.
 */
export function auditIfChanged(db: Database, at: number, origin: RequestOrigin, entry: AuditEntry) {
  return auditIf(db, at, origin, entry, sql`changes() > 0`);
}

export function auditIf(db: Database, at: number, origin: RequestOrigin, entry: AuditEntry, condition: SQL) {
  // `id` null lets SQLite assign it.
  const columns = constantColumns({ id: null, ...row(at, origin, entry) });
  return db.insert(auditEvents).select(db.select(columns).from(sql`(select 1)`).where(condition) as never);
}

function row(at: number, origin: RequestOrigin, entry: AuditEntry) {
  return {
    at,
    event: entry.event,
    reason: entry.reason ?? null,
    email: entry.email ?? null,
    adminId: entry.adminId ?? null,
    sessionId: entry.sessionId ?? null,
    ip: origin.ip,
    userAgent: origin.userAgent,
    colo: origin.colo,
    refusedAttempts: 0,
  };
}

/**
 * An attempt refused because its email is locked: counted on the lockout's
 * own audit row rather than written as a row of its own, so an attacker
 * hammering a locked email makes no storage grow.
 */
export function countRefusedAttempt(db: Database, emailKey: string) {
  const lockout = db
    .select({ id: sql`max(${auditEvents.id})` })
    .from(auditEvents)
    .where(and(eq(auditEvents.email, emailKey), eq(auditEvents.event, "login_locked_out")));
  return db
    .update(auditEvents)
    .set({ refusedAttempts: sql`${auditEvents.refusedAttempts} + 1` })
    .where(eq(auditEvents.id, lockout));
}
