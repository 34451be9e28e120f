import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { stampedWith } from "../admins/admin-store.ts";
import { auditIf } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { admins } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { deleteRecoveryCodes } from "../mfa/recovery-code-store.ts";
import { factorOwner, factorUnspent } from "../mfa/second-factor.ts";
import { recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { liveSession, revokeAdminSessions } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { beginAccountAttempt } from "./account-attempt.ts";
import { checkCountedFactor, failedAttemptWrites, recordFailedAttempt, takeBackAttempt } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

/**
 * Turns MFA off, on a code from the app or a recovery code: a stolen access
 * token alone cannot, and its wrong guesses count toward the admin's
 * lockout. Two D1 batches, as for `confirm`; the second commits everything or
 * nothing: the secret and the recovery codes go, every other session is
 * revoked, the attempt is taken back.
 */
export async function disableTotp(ctx: AuthContext, claims: TokenClaims, code: string): Promise<void> {
  const attempt = await beginAccountAttempt(ctx, claims);
  const { admin, key } = attempt;
  const db = database(ctx.d1);
  const who = { email: key, adminId: admin.id, sessionId: claims.sid };
  if (admin.totpSecret === null) {
    await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    throw new ApiError("mfa_not_enabled");
  }
  const factor = await checkCountedFactor(ctx, db, attempt, factorOwner(admin, admin.totpSecret), code);
  if (!factor) {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "mfa_code_rejected", reason: "disable", ...who }));
    throw new ApiError("mfa_code_rejected");
  }

  const stamp = randomId();
  const disabled = stampedWith(admin.id, stamp);
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    db
      .update(admins)
      .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: null, totpEarlierSteps: 0, securityStamp: stamp, updatedAt: ctx.now })
      .where(
        and(
          eq(admins.id, admin.id),
          eq(admins.securityStamp, admin.securityStamp),
          liveSession(claims.sid, admin.id, sessionClock(ctx)),
          factorUnspent(admin.id, factor),
        ),
      )
      .returning({ id: admins.id }),
    revokeAdminSessions(db, admin.id, "mfa_disabled", ctx.now, { keep: claims.sid, onlyIf: disabled }),
    deleteRecoveryCodes(db, admin.id, disabled),
    ...takeBackAttempt(ctx, db, attempt, disabled),
    auditIf(db, ctx.now, ctx.origin, { event: "mfa_disabled", ...who }, disabled),
  ];
  if (factor.method === "recovery_code") writes.push(auditIf(db, ctx.now, ctx.origin, { event: "mfa_recovery_code_used", ...who }, disabled));
  // A recovery code is found unknown or spent only here.
  writes.push(...failedAttemptWrites(ctx, db, attempt, { event: "mfa_code_rejected", reason: "disable", ...who }, sql`not ${disabled}`));
  const [[changed], revoked] = (await storage(db.batch(writes))) as [unknown[], { id: string; expiresAt: number }[]];
  // The code was spent, or MFA changed, since it was checked.
  if (!changed) throw new ApiError("mfa_code_rejected");
  ctx.defer(recordSessionsRevoked(ctx.kv, revoked, "mfa_disabled", ctx.now));
}
