import { and, eq, isNull, sql } from "drizzle-orm";
import { stampedWith } from "../admins/admin-store.ts";
import { auditIf } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { admins } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { insertRecoveryCodes } from "../mfa/recovery-code-store.ts";
import { formatRecoveryCode, generateRecoveryCodes, hashRecoveryCode } from "../mfa/recovery-codes.ts";
import { factorOwner } from "../mfa/second-factor.ts";
import { recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { liveSession, revokeAdminSessions } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { beginAccountAttempt } from "./account-attempt.ts";
import { checkCountedFactor, failedAttemptWrites, recordFailedAttempt, takeBackAttempt } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * Turns MFA on once a code proves the admin's app holds the pending secret.
 * Two D1 batches: the attempt is counted (a wrong code is a failure for the
 * admin's lockout), then one decision commits everything or nothing: the
 * secret becomes active, the recovery codes' hashes are stored, every other
 * session is revoked (whoever else was logged in got there without the
 * factor) and the attempt is taken back.
 */
export async function confirmTotp(ctx: AuthContext, claims: TokenClaims, code: string): Promise<{ recovery_codes: string[] }> {
  const attempt = await beginAccountAttempt(ctx, claims);
  const { admin, key } = attempt;
  const db = database(ctx.d1);
  const who = { email: key, adminId: admin.id, sessionId: claims.sid };
  if (admin.totpSecret !== null) {
    await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    throw new ApiError("mfa_already_enabled");
  }
  const pending = admin.totpPendingSecret;
  const factor = pending === null ? null : await checkCountedFactor(ctx, db, attempt, factorOwner(admin, pending), code);
  // Recovery codes come with enrolment: only the app's code proves it.
  if (pending === null || factor?.method !== "totp") {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "mfa_code_rejected", reason: "confirm", ...who }));
    throw new ApiError("mfa_code_rejected");
  }

  const recoveryCodes = generateRecoveryCodes();
  const hashes = await Promise.all(recoveryCodes.map((recoveryCode) => hashRecoveryCode(admin.id, recoveryCode)));
  const stamp = randomId();
  const enabled = stampedWith(admin.id, stamp);
  const [[changed], , revoked] = await storage(
    db.batch([
      db
        .update(admins)
        .set({
          totpSecret: factor.resealed ?? pending,
          totpPendingSecret: null,
          totpLastStep: factor.step,
          totpEarlierSteps: 0,
          securityStamp: stamp,
          updatedAt: ctx.now,
        })
        .where(
          and(
            eq(admins.id, admin.id),
            eq(admins.securityStamp, admin.securityStamp),
            isNull(admins.totpSecret),
            eq(admins.totpPendingSecret, pending),
            liveSession(claims.sid, admin.id, sessionClock(ctx)),
          ),
        )
        .returning({ id: admins.id }),
      insertRecoveryCodes(db, admin.id, hashes, ctx.now, enabled),
      revokeAdminSessions(db, admin.id, "mfa_enabled", ctx.now, { keep: claims.sid, onlyIf: enabled }),
      ...takeBackAttempt(ctx, db, attempt, enabled),
      auditIf(db, ctx.now, ctx.origin, { event: "mfa_enabled", ...who }, enabled),
      ...failedAttemptWrites(ctx, db, attempt, { event: "mfa_code_rejected", reason: "confirm", ...who }, sql`not ${enabled}`),
    ]),
  );
  // Another setup, confirm or credential change committed since the code was checked.
  if (!changed) throw new ApiError("mfa_code_rejected");
  ctx.defer(recordSessionsRevoked(ctx.kv, revoked, "mfa_enabled", ctx.now));
  return { recovery_codes: recoveryCodes.map(formatRecoveryCode) };
}
