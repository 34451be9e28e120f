import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type AdminRow, admins, recoveryCodes } from "../db/schema.ts";
import { hashRecoveryCode, normaliseRecoveryCode } from "./recovery-codes.ts";
import type { SecretBox } from "./secret-box.ts";
import { type AcceptedSteps, importTotpKey, matchTotp } from "./totp.ts";

/**
 * A code that checked out: which TOTP step it was (and the secret sealed
 * again, if its key no longer seals), or which recovery code (by its hash).
 */
export type SecondFactor = { method: "totp"; step: number; resealed: string | null } | { method: "recovery_code"; codeHash: string };

/** What a code is checked against. */
export interface FactorOwner {
  adminId: string;
  /** The sealed TOTP secret (the pending one, for a first confirmation). */
  sealedSecret: string;
  accepted: AcceptedSteps;
}

/** What an admin's code is checked against: `sealedSecret` is their `totpSecret`, or the pending one at `confirm`. */
export function factorOwner(admin: AdminRow, sealedSecret: string): FactorOwner {
  return {
    adminId: admin.id,
    sealedSecret,
    accepted: { last: admin.totpLastStep, earlier: admin.totpEarlierSteps },
  };
}

/** Binds a sealed TOTP secret to its admin: copied onto another admin's row, it does not open. */
export function totpSecretContext(adminId: string): string {
  return `totp:${adminId}`;
}

/**
 * Reads a code as typed (spaces and hyphens ignored): six digits are a TOTP,
 * checked here against the secret; a recovery code is only hashed here, and
 * D1 decides whether it is unspent in the write that spends it. Null when the
 * code cannot be right.
 */
export async function checkSecondFactor(box: SecretBox, owner: FactorOwner, code: string, now: number): Promise<SecondFactor | null> {
  const digits = code.replace(/[\s-]/g, "");
  if (/^[0-9]{6}$/.test(digits)) {
    const context = totpSecretContext(owner.adminId);
    const secret = await box.open(owner.sealedSecret, context);
    const step = await matchTotp(await importTotpKey(secret), digits, now, owner.accepted);
    if (step === null) return null;
    // Stored with the write the code authorises, so a rotation of MFA_ENCRYPTION_KEYS completes as admins use their codes.
    const resealed = box.sealedByCurrentKey(owner.sealedSecret) ? null : await box.seal(secret, context);
    return { method: "totp", step, resealed };
  }
  const recoveryCode = normaliseRecoveryCode(code);
  return recoveryCode === null ? null : { method: "recovery_code", codeHash: await hashRecoveryCode(owner.adminId, recoveryCode) };
}

/** RFC 8176 method names for a login: `otp` for a TOTP, and `mfa` for any second factor. */
export function authenticationMethods(factor: SecondFactor | null): string[] {
  if (!factor) return ["pwd"];
  return factor.method === "totp" ? ["pwd", "otp", "mfa"] : ["pwd", "mfa"];
}

/** Inside a batch: the factor has not been spent since it was checked (see `AcceptedSteps` for a TOTP step). */
export function factorUnspent(adminId: string, factor: SecondFactor) {
  if (factor.method === "totp") {
    const { totpLastStep: last, totpEarlierSteps: earlier } = admins;
    return sql`exists (select 1 from ${admins} where ${admins.id} = ${adminId} and (${last} is null or ${last} < ${factor.step}
      or (${last} - ${factor.step} between 1 and 2 and (${earlier} >> (${last} - ${factor.step} - 1)) & 1 = 0)))`;
  }
  return sql`exists (select 1 from ${recoveryCodes} where ${recoveryCodes.adminId} = ${adminId}
    and ${recoveryCodes.codeHash} = ${factor.codeHash} and ${recoveryCodes.usedAt} is null)`;
}

/**
 * Spends the factor, if `onlyIf` (that the write it authorised committed): the
 * step or code is never accepted again. A TOTP secret sealed under a retired
 * key is replaced by its fresh seal at the same time.
 */
export function spendFactor(db: Database, adminId: string, factor: SecondFactor, now: number, onlyIf: SQL) {
  if (factor.method === "totp") {
    const { step, resealed } = factor;
    const { totpLastStep: last, totpEarlierSteps: earlier } = admins;
    // SQLite reads the old row in every SET expression: a later step moves the bits along, an earlier one sets its own.
    return db
      .update(admins)
      .set({
        totpEarlierSteps: sql`case when ${last} is null then 0
          when ${step} > ${last} then ((${earlier} << (${step} - ${last})) | (1 << (${step} - ${last} - 1))) & 3
          else ${earlier} | (1 << (${last} - ${step} - 1)) end`,
        totpLastStep: sql`max(coalesce(${last}, ${step}), ${step})`,
        ...(resealed === null ? {} : { totpSecret: resealed }),
      })
      .where(sql`${admins.id} = ${adminId} and ${onlyIf}`);
  }
  return db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(sql`${recoveryCodes.adminId} = ${adminId} and ${recoveryCodes.codeHash} = ${factor.codeHash} and ${recoveryCodes.usedAt} is null and ${onlyIf}`);
}
