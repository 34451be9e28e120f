import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { stampedWith } from "../admins/admin-store.ts";
import { auditIf } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { admins } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { factorOwner, factorUnspent, type SecondFactor, spendFactor } from "../mfa/second-factor.ts";
import { logError } from "../observability/log.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { verifyPassword } from "../passwords/verify-password.ts";
import { recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { liveSession, revokeAdminSessions, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { beginAccountAttempt } from "./account-attempt.ts";
import { checkCountedFactor, failedAttemptWrites, recordFailedAttempt, takeBackAttempt } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, sessionClock, type TokenPair } from "./issue-tokens.ts";
import { newSession, openSessionIf } from "./new-session.ts";
import { requireRecentSignIn, signInIsRecent } from "./step-up.ts";

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  mfaCode: string | null;
}

/**
 * The admin changes their own password. The current one is checked as login
 * checks it (counted toward the email's lockout before the check, one
 * derivation whether right or wrong), so a stolen access token is no
 * password oracle; then the second factor, if enrolled. Two D1 batches: the
 * second stores the new hash under a fresh security stamp, only if nothing
 * changed since the check, and in the same transaction ends every session of
 * the admin, the caller's too (a copy of its tokens, lifted by XSS or from a
 * log, must die with the change meant to stop it), opens a new one as a
 * login with the new password would, spends the code and takes the attempt
 * back. The answer is the new session's tokens.
 */
export async function changePassword(ctx: AuthContext, claims: TokenClaims, change: PasswordChange): Promise<TokenPair> {
  const attempt = await beginAccountAttempt(ctx, claims);
  const { admin, key } = attempt;
  const db = database(ctx.d1);
  const who = { email: key, adminId: admin.id, sessionId: claims.sid };
  // A passkey-only admin's password signs nothing in, so it cannot stand in for a sign-in either: their
  // change needs a recent one (RFC 9470), or a stolen token and a phished password would open a session
  // of full length and end the owner's. Asked before the password is, which is then no oracle.
  if (admin.passkeyOnly && !signInIsRecent(ctx, claims)) {
    await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    await requireRecentSignIn(ctx, claims);
  }

  const check = await verifyPassword(change.currentPassword, admin.passwordHash, ctx.config.pbkdf2Iterations);
  if (check.unusable) logError("unusable password hash", check.unusable.kind, { admin_id: admin.id, ...check.unusable });
  if (!check.valid) {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "password_change_failed", reason: "wrong_password", ...who }));
    throw new ApiError("incorrect_password");
  }
  let factor: SecondFactor | null = null;
  if (admin.totpSecret !== null) {
    if (change.mfaCode === null) {
      await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
      throw new ApiError("mfa_required");
    }
    factor = await checkCountedFactor(ctx, db, attempt, factorOwner(admin, admin.totpSecret), change.mfaCode);
    if (!factor) {
      await storage(recordFailedAttempt(ctx, db, attempt, { event: "password_change_failed", reason: "mfa_invalid", ...who }));
      throw new ApiError("invalid_mfa_code");
    }
  }

  const newHash = await hashPassword(change.newPassword, ctx.config.pbkdf2Iterations);
  const stamp = randomId();
  const changed = stampedWith(admin.id, stamp);
  const unspent = factor ? factorUnspent(admin.id, factor) : sql`1`;
  const live = liveSession(claims.sid, admin.id, sessionClock(ctx));
  const session = newSession(ctx, admin.id, factor);
  // For a passkey-only admin proving the password is no fresh sign-in: the new session keeps the caller's.
  if (admin.passkeyOnly) session.authTime = claims.auth_time === null ? null : claims.auth_time * 1000;
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    db
      .update(admins)
      .set({ passwordHash: newHash, securityStamp: stamp, updatedAt: ctx.now })
      .where(and(eq(admins.id, admin.id), eq(admins.securityStamp, admin.securityStamp), live, unspent))
      .returning({ id: admins.id }),
    // Before the new session is opened, so that one is not among those ended.
    revokeAdminSessions(db, admin.id, "password_changed", ctx.now, { onlyIf: changed }),
    auditIf(db, ctx.now, ctx.origin, { event: "password_changed", ...who }, changed),
    openSessionIf(ctx, db, session, changed),
    // Every session has the row that opened it, as at login; the reason tells this one from the login form's.
    auditIf(db, ctx.now, ctx.origin, { event: "login_succeeded", reason: "password_changed", ...who, sessionId: session.sessionId }, changed),
  ];
  if (factor) {
    writes.push(spendFactor(db, admin.id, factor, ctx.now, changed), ...takeBackAttempt(ctx, db, attempt, changed));
    if (factor.method === "recovery_code") writes.push(auditIf(db, ctx.now, ctx.origin, { event: "mfa_recovery_code_used", ...who }, changed));
    // A recovery code is found unknown or spent only here.
    writes.push(...failedAttemptWrites(ctx, db, attempt, { event: "password_change_failed", reason: "mfa_invalid", ...who }, sql`not ${changed}`));
  } else {
    // Without a code, a batch that stores nothing met a concurrent change, not a wrong guess.
    writes.push(...takeBackAttempt(ctx, db, attempt));
  }
  // Last, so a batch that stored nothing can tell a session ended meanwhile (401) from a lost race.
  writes.push(sessionLiveness(db, live));
  const results = (await storage(db.batch(writes))) as unknown[][];
  const [[stored], revoked] = results as [unknown[], { id: string; expiresAt: number }[]];
  if (!stored) {
    const [stillLive] = results.at(-1) as { live: number }[];
    throw new ApiError(!stillLive?.live ? "invalid_access_token" : factor ? "invalid_mfa_code" : "incorrect_password");
  }
  ctx.defer(recordSessionsRevoked(ctx.kv, revoked, "password_changed", ctx.now));
  return issueTokens(ctx, session);
}
