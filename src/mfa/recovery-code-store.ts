import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { recoveryCodes } from "../db/schema.ts";

/** Stores a fresh set of code hashes, if `onlyIf` (the enrolment committed). */
export function insertRecoveryCodes(db: Database, adminId: string, codeHashes: readonly string[], now: number, onlyIf: SQL) {
  const rows = sql.join(
    codeHashes.map((hash) => sql`(${hash})`),
    sql`, `,
  );
  return db.insert(recoveryCodes).select(sql`select ${adminId}, column1, ${now}, null from (values ${rows}) where ${onlyIf}`);
}

/** Every code of the admin goes with the factor they recover (MFA disabled or reset). */
export function deleteRecoveryCodes(db: Database, adminId: string, onlyIf?: SQL) {
  return db.delete(recoveryCodes).where(and(eq(recoveryCodes.adminId, adminId), onlyIf));
}
