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
 * The admin is as a check just saw them: still active, with the same
 * credentials (every change of password or second factor replaces the
 * security stamp). A write conditioned on it loses to any such change that
 * committed meanwhile; re-hashing a password or re-sealing a TOTP secret
 * under a newer key changes no credential, so a login racing one still succeeds.
 */
export function adminUnchanged(admin: AdminRow) {
  return sql`exists (select 1 from ${admins} where ${admins.id} = ${admin.id} and ${admins.isActive}
    and ${admins.securityStamp} = ${admin.securityStamp})`;
}

/**
 * True once this batch has given the admin `stamp`, a fresh random security
 * stamp: the statements after a credential change run only if it committed.
 */
export function stampedWith(adminId: string, stamp: string) {
  return sql`exists (select 1 from ${admins} where ${admins.id} = ${adminId} and ${admins.securityStamp} = ${stamp})`;
}
