import { asc, count, desc, eq, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { audit, type RequestOrigin } from "../audit/audit-log.ts";
import type { Database } from "../db/client.ts";
import { type AdminRow, type AuditEvent, admins, auditEvents, passkeys, unknownEmailAttempts } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { deleteRecoveryCodes } from "../mfa/recovery-code-store.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { readStoredHash } from "../passwords/stored-hash.ts";
import { recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { type RevocationReason, revokeAdminSessions } from "../sessions/session-store.ts";
import { emailKey } from "../throttle/login-throttle.ts";
import { validateEmail } from "../wire/email-address/email-str.ts";
import { findAdminByEmail } from "./admin-store.ts";
import { type AdminUser, toAdminUser } from "./admin-user.ts";

/** Operator actions, shared by `npm run admin` and the tests; they run outside any request. */
export interface AdminCommandContext {
  db: Database;
  /** Recorded in the audit log as the origin of operator actions. */
  origin: RequestOrigin;
  kv: KVNamespace;
  now: number;
  pbkdf2Iterations: number;
}

/** Operator actions are audited as coming from the CLI, not from a client. */
export const OPERATOR_ORIGIN: RequestOrigin = { ip: null, userAgent: "scaikey-admin-cli", colo: null };

/** Stable codes, so the CLI can print one clear line and tests can match. */
export class AdminCommandError extends Error {
  readonly code: "invalid_email" | "duplicate_email" | "unknown_admin" | "weak_password";
  constructor(code: AdminCommandError["code"], message: string) {
    super(message);
    this.name = "AdminCommandError";
    this.code = code;
  }
}

const MIN_PASSWORD_LENGTH = 12;

export interface NewAdmin {
  email: string;
  name: string;
  role?: string;
  password: string;
}

export async function createAdmin(ctx: AdminCommandContext, input: NewAdmin): Promise<AdminUser> {
  const email = normalizeEmail(input.email);
  checkPassword(input.password);
  const [existing] = await findAdminByEmail(ctx.db, email);
  if (existing) throw new AdminCommandError("duplicate_email", `An admin with email ${email} already exists`);
  const row = {
    id: crypto.randomUUID(),
    email,
    name: input.name,
    role: input.role ?? "admin",
    passwordHash: await hashPassword(input.password, ctx.pbkdf2Iterations),
    isActive: true,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lastLoginAt: null,
  };
  const [created] = await ctx.db.insert(admins).values(row).returning();
  return toAdminUser(created as AdminRow);
}

/** A new password ends every session: whoever knew the old one is logged out. */
export async function setPassword(ctx: AdminCommandContext, email: string, password: string): Promise<number> {
  checkPassword(password);
  const admin = await requireAdmin(ctx, email);
  const passwordHash = await hashPassword(password, ctx.pbkdf2Iterations);
  return updateAndRevoke(ctx, admin, { passwordHash }, "password_changed");
}

/** Disabling ends every session at once, not when the access tokens expire. */
export async function disableAdmin(ctx: AdminCommandContext, email: string): Promise<number> {
  const admin = await requireAdmin(ctx, email);
  return updateAndRevoke(ctx, admin, { isActive: false }, "admin_disabled");
}

export async function enableAdmin(ctx: AdminCommandContext, email: string): Promise<void> {
  const admin = await requireAdmin(ctx, email);
  await ctx.db.update(admins).set({ isActive: true, updatedAt: ctx.now }).where(eq(admins.id, admin.id));
}

export async function revokeSessions(ctx: AdminCommandContext, email: string): Promise<number> {
  const admin = await requireAdmin(ctx, email);
  return updateAndRevoke(ctx, admin, {}, "operator");
}

/**
 * For an admin who lost the authenticator (and the recovery codes): the
 * password alone logs them in again, and every session they had is revoked,
 * since whoever holds the lost device may hold one of them too.
 */
export async function resetMfa(ctx: AdminCommandContext, email: string): Promise<{ was: MfaState; revoked: number }> {
  const admin = await requireAdmin(ctx, email);
  const revoked = await updateAndRevoke(ctx, admin, { totpSecret: null, totpPendingSecret: null, totpLastStep: null, totpEarlierSteps: 0 }, "mfa_reset", {
    event: "mfa_reset",
    also: [deleteRecoveryCodes(ctx.db, admin.id)],
  });
  return { was: mfaState(admin), revoked };
}

/**
 * For an admin who lost their passkeys' device: every passkey goes, a
 * password signs them in again (passkey-only is turned off), and every
 * session they had is revoked, since the lost device may have opened one.
 */
export async function resetPasskeys(ctx: AdminCommandContext, email: string): Promise<{ removed: number; wasPasskeyOnly: boolean; revoked: number }> {
  const admin = await requireAdmin(ctx, email);
  const removed = (await listAdminPasskeys(ctx, admin.id)).length;
  const revoked = await updateAndRevoke(ctx, admin, { passkeyOnly: false }, "passkey_reset", {
    event: "passkey_reset",
    also: [ctx.db.delete(passkeys).where(eq(passkeys.adminId, admin.id))],
  });
  return { removed, wasPasskeyOnly: admin.passkeyOnly, revoked };
}

/** What an operator may see of a passkey: never its public key or credential id. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  backedUp: boolean;
  transports: string[];
}

/** An admin's passkeys, newest first, as the API lists them. */
export async function listPasskeys(ctx: AdminCommandContext, email: string): Promise<PasskeySummary[]> {
  return listAdminPasskeys(ctx, (await requireAdmin(ctx, email)).id);
}

async function listAdminPasskeys(ctx: AdminCommandContext, adminId: string): Promise<PasskeySummary[]> {
  const rows = await ctx.db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
      transports: passkeys.transports,
    })
    .from(passkeys)
    .where(eq(passkeys.adminId, adminId))
    .orderBy(desc(passkeys.createdAt), asc(passkeys.name));
  return rows.map((row) => ({ ...row, transports: parseTransports(row.transports) }));
}

/** Stored as the browser reported them; anything else is shown as none rather than failing the listing. */
function parseTransports(stored: string): string[] {
  try {
    const transports: unknown = JSON.parse(stored);
    return Array.isArray(transports) ? transports.filter((transport): transport is string => typeof transport === "string") : [];
  } catch {
    return [];
  }
}

export type MfaState = "on" | "pending" | "off";

/** `pending`: enrolment started (`setup`) but not confirmed, which changes nothing at login yet. */
function mfaState(admin: AdminRow): MfaState {
  if (admin.totpSecret !== null) return "on";
  return admin.totpPendingSecret === null ? "off" : "pending";
}

export interface AdminListing extends AdminUser {
  password_scheme: string;
  mfa: MfaState;
  passkeys: number;
  passkey_only: boolean;
}

/** With each admin's hash scheme, so an operator can follow a migration (imported hashes go as their admins log in), MFA state and passkeys. */
export async function listAdmins(ctx: AdminCommandContext): Promise<AdminListing[]> {
  const rows = await ctx.db
    .select({ admin: admins, passkeys: count(passkeys.id) })
    .from(admins)
    .leftJoin(passkeys, eq(passkeys.adminId, admins.id))
    .groupBy(admins.id)
    .orderBy(asc(admins.createdAt), asc(admins.email));
  return rows.map(({ admin, passkeys: passkeyCount }) => ({
    ...toAdminUser(admin),
    password_scheme: passwordScheme(admin.passwordHash),
    mfa: mfaState(admin),
    passkeys: passkeyCount,
    passkey_only: admin.passkeyOnly,
  }));
}

/** `unusable`: nobody can log in with it (see `readStoredHash`); `set-password` gives the admin a good one. */
function passwordScheme(passwordHash: string): string {
  const reading = readStoredHash(passwordHash);
  if (!reading.usable) return "unusable";
  if (reading.stored.scheme === "bcrypt") return "bcrypt (imported)";
  return reading.stored.legacy ? "passlib pbkdf2 (imported)" : "pbkdf2";
}

export interface AuditQuery {
  email?: string;
  limit: number;
}

/**
 * An event as the CLI lists it. `count` is null for one event; on a line from
 * a client's unknown-email tally (no email, no User-Agent; `ip` the client's
 * key, `at` the hour's start) it is how many events of its kind that hour held.
 */
export type AuditLine = Omit<typeof auditEvents.$inferSelect, "id"> & { count: number | null };

/**
 * Newest first; never a password or token, because none is ever written. An
 * email finds the rows written under it (an admin's attempts) and those of
 * the admin who has it now (session events carry only the admin id). Without
 * one, the clients' unknown-email tallies are listed among the events: a
 * `login_failed` line with their failures, a `login_locked_out` line with
 * the locks they set and the attempts those refused, and a `login_failed` /
 * `passkey_invalid` line with their failed passkey sign-ins.
 */
export async function readAuditLog(ctx: AdminCommandContext, query: AuditQuery): Promise<AuditLine[]> {
  const key = query.email === undefined ? undefined : emailKey(query.email);
  const filter =
    key === undefined
      ? undefined
      : or(eq(auditEvents.email, key), sql`${auditEvents.adminId} in (select ${admins.id} from ${admins} where lower(${admins.email}) = ${key})`);
  const events = ctx.db.select().from(auditEvents).where(filter).orderBy(desc(auditEvents.at), desc(auditEvents.id)).limit(query.limit);
  if (key !== undefined) return (await events).map(({ id: _, ...event }) => ({ ...event, count: null }));
  const [rows, tallies] = await ctx.db.batch([
    events,
    ctx.db.select().from(unknownEmailAttempts).orderBy(desc(unknownEmailAttempts.hour), asc(unknownEmailAttempts.client)).limit(query.limit),
  ]);
  const lines: AuditLine[] = [...rows.map(({ id: _, ...event }) => ({ ...event, count: null })), ...tallies.flatMap(tallyLines)];
  // A stable sort: at one instant, events before tallies, each in the order read.
  return lines.sort((a, b) => b.at - a.at).slice(0, query.limit);
}

function tallyLines(tally: typeof unknownEmailAttempts.$inferSelect): AuditLine[] {
  const line = { at: tally.hour, reason: "unknown_email", email: null, adminId: null, sessionId: null, ip: tally.client, userAgent: null, colo: null };
  const lines: AuditLine[] = [];
  if (tally.failures > 0) lines.push({ ...line, event: "login_failed", count: tally.failures, refusedAttempts: 0 });
  if (tally.lockouts > 0 || tally.refusedAttempts > 0) {
    lines.push({ ...line, event: "login_locked_out", count: tally.lockouts, refusedAttempts: tally.refusedAttempts });
  }
  if (tally.passkeyFailures > 0) lines.push({ ...line, event: "login_failed", reason: "passkey_invalid", count: tally.passkeyFailures, refusedAttempts: 0 });
  return lines;
}

export async function countAdmins(db: Database): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)` }).from(admins);
  return row?.count ?? 0;
}

/**
 * The change and the revocation of every live session commit together, in one
 * D1 batch. A new security stamp makes an admin's own credential change that
 * is in flight (an MFA confirm or disable) lose to this one.
 */
async function updateAndRevoke(
  ctx: AdminCommandContext,
  { id: adminId, email }: AdminRow,
  change: Partial<typeof admins.$inferInsert>,
  reason: RevocationReason,
  { event = "sessions_revoked", also = [] }: { event?: AuditEvent; also?: BatchItem<"sqlite">[] } = {},
): Promise<number> {
  const [, revoked] = await ctx.db.batch([
    ctx.db
      .update(admins)
      .set({ ...change, securityStamp: randomId(), updatedAt: ctx.now })
      .where(eq(admins.id, adminId)),
    revokeAdminSessions(ctx.db, adminId, reason, ctx.now),
    audit(ctx.db, ctx.now, ctx.origin, { event, reason, adminId, email: emailKey(email) }),
    ...also,
  ]);
  await recordSessionsRevoked(ctx.kv, revoked, reason, ctx.now);
  return revoked.length;
}

async function requireAdmin(ctx: AdminCommandContext, email: string) {
  const [admin] = await findAdminByEmail(ctx.db, normalizeEmail(email));
  if (!admin) throw new AdminCommandError("unknown_admin", `No admin with email ${email}`);
  return admin;
}

function normalizeEmail(email: string): string {
  const result = validateEmail(email);
  if (!result.ok) throw new AdminCommandError("invalid_email", `Invalid email "${email}": ${result.reason}`);
  return result.normalized;
}

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AdminCommandError("weak_password", `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}
