import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { constantRowIf } from "../db/constant-columns.ts";
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
  /** A `login_locked_out` row's count of the attempts its lockout refused. */
  refusedAttempts?: SQL;
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
  return db.insert(auditEvents).select(constantRowIf(db, { id: null, ...row(at, origin, entry) }, condition) as never);
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
    refusedAttempts: entry.refusedAttempts ?? 0,
  };
}
