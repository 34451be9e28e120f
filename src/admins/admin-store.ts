import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { admins } from "../db/schema.ts";

/** Emails are unique case-insensitively; `lower(email)` is the indexed expression. */
export function findAdminByEmail(db: Database, email: string) {
  return db
    .select()
    .from(admins)
    .where(sql`lower(${admins.email}) = lower(${email})`)
    .limit(1);
}

export function recordLogin(db: Database, adminId: string, now: number) {
  return db.update(admins).set({ lastLoginAt: now }).where(eq(admins.id, adminId));
}

/** Only replaces the hash that was verified, so a concurrent password change wins. */
export function upgradePasswordHash(db: Database, adminId: string, verifiedHash: string, upgradedHash: string) {
  return db
    .update(admins)
    .set({ passwordHash: upgradedHash })
    .where(and(eq(admins.id, adminId), eq(admins.passwordHash, verifiedHash)));
}
