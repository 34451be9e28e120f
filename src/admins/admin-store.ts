import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type AdminRow, admins } from "../db/schema.ts";

/** Emails are unique case-insensitively; `lower(email)` is the indexed expression. */
export function findAdminByEmail(db: Database, email: string) {
  return db.select().from(admins).where(sql`lower(${admins.email}) = lower(${email})`).limit(1);
}

/** `onlyIf`: the condition that the login really opened its session (see login.ts). */
export function recordLogin(db: Database, adminId: string, now: number, onlyIf: SQL) {
  return db
    .update(admins)
    .set({ lastLoginAt: now })
    .where(and(eq(admins.id, adminId), onlyIf));
}

/** Only replaces the hash that was verified, so a concurrent password change wins. */
export function upgradePasswordHash(db: Database, adminId: string, verifiedHash: string, upgradedHash: string) {
  return db
    .update(admins)
    .set({ passwordHash: upgradedHash })
    .where(and(eq(admins.id, adminId), eq(admins.passwordHash, verifiedHash)));
}

/**
 * Inside a batch on the primary: the email's admin is as a read (maybe from a
 * replica) found them, the same admin with the same credentials, activity and
 * passkey-only setting, or still none. What a login decides from that read
 * takes effect only if this holds; `sameAdmin` is the same test in JS, on the
 * row the batch reads back.
 */
export function adminAsRead(email: string, admin: AdminRow | undefined) {
  if (!admin) return sql`not exists (select 1 from ${admins} where lower(${admins.email}) = lower(${email}))`;
  return sql`exists (select 1 from ${admins} where ${admins.id} = ${admin.id} and lower(${admins.email}) = lower(${email})
    and ${admins.securityStamp} = ${admin.securityStamp} and ${admins.isActive} = ${admin.isActive ? 1 : 0} and ${admins.passkeyOnly} = ${admin.passkeyOnly ? 1 : 0})`;
}

export function sameAdmin(read: AdminRow | undefined, primary: AdminRow | undefined): boolean {
  if (!read || !primary) return read === primary;
  return (
    read.id === primary.id && read.securityStamp === primary.securityStamp && read.isActive === primary.isActive && read.passkeyOnly === primary.passkeyOnly
  );
}

/**
 * True once this batch has given the admin `stamp`, a fresh random security
 * stamp: the statements after a credential change run only if it committed.
 */
export function stampedWith(adminId: string, stamp: string) {
  return sql`exists (select 1 from ${admins} where ${admins.id} = ${adminId} and ${admins.securityStamp} = ${stamp})`;
}
