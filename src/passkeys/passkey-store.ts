import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { admins, passkeys, webauthnChallenges } from "../db/schema.ts";
import type { VerifiedChallenge } from "./challenge.ts";

export type PasskeyRow = typeof passkeys.$inferSelect;

/** How many passkeys one admin may hold: enough for every device and a spare key, few enough to list. */
export const MAX_PASSKEYS = 10;

/** A passkey as the API shows it; key order is the wire order. Never the public key or the credential id. */
export interface PasskeyView {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  backed_up: boolean;
  transports: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toPasskeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    created_at: iso(row.createdAt),
    last_used_at: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
    backed_up: row.backedUp,
    transports: JSON.parse(row.transports),
  };
}

/** An admin's passkeys, newest first. */
export function listPasskeys(db: Database, adminId: string) {
  return db.select().from(passkeys).where(eq(passkeys.adminId, adminId)).orderBy(desc(passkeys.createdAt), desc(passkeys.id));
}

/** The passkey a sign-in names, with its admin. */
export function findPasskeyByCredentialId(db: Database, credentialId: string) {
  return db
    .select({ passkey: passkeys, admin: admins })
    .from(passkeys)
    .innerJoin(admins, eq(admins.id, passkeys.adminId))
    .where(eq(passkeys.credentialId, credentialId))
    .limit(1);
}

/**
 * Records a challenge as used: the first statement of every decision batch
 * that uses one. A second use inserts nothing, and the statement right after
 * it in the batch, conditioned on `changes() > 0`, does nothing either.
 */
export function useChallenge(db: Database, challenge: VerifiedChallenge) {
  return db.insert(webauthnChallenges).values({ challengeHash: challenge.hash, expiresAt: challenge.expiresAt }).onConflictDoNothing();
}

/** The previous statement of the batch changed a row: here, that the challenge was not used before. */
export const previousStatementChanged = sql`changes() > 0`;

/** True once the batch has stored this passkey. */
export const passkeyStored = (passkeyId: string) => sql`exists (select 1 from ${passkeys} where ${passkeys.id} = ${passkeyId})`;

/** The admin's passkeys, counted inside SQL. */
export const passkeyCount = (adminId: string) => sql<number>`(select count(*) from ${passkeys} where ${passkeys.adminId} = ${adminId})`;

/** A name taken by another of the admin's passkeys. */
export function nameTaken(adminId: string, name: string, exceptId: string) {
  return sql<number>`exists (select 1 from ${passkeys} where ${passkeys.adminId} = ${adminId} and ${passkeys.name} = ${name} and ${passkeys.id} <> ${exceptId})`;
}

/** One of the admin's own passkeys, by its API id. */
export const ownPasskey = (passkeyId: string, adminId: string) => and(eq(passkeys.id, passkeyId), eq(passkeys.adminId, adminId));
