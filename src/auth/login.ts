import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { adminUnchanged, findAdminByEmail, recordLogin, upgradePasswordHash } from "../admins/admin-store.ts";
import { type AdminUser, toAdminUser } from "../admins/admin-user.ts";
import { auditIfChanged } from "../audit/audit-log.ts";
import { type Database, database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { ApiError } from "../errors/api-error.ts";
import { factorOwner, factorUnspent, type SecondFactor, spendFactor } from "../mfa/second-factor.ts";
import { logError } from "../observability/log.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { burnPasswordCheck, verifyPassword } from "../passwords/verify-password.ts";
import { sessionOpened } from "../sessions/session-store.ts";
import { checkClientRateLimits } from "../throttle/client-rate-limit.ts";
import { clearFailures, countAttempt, emailKey, findThrottle } from "../throttle/login-throttle.ts";
import { type CountedAttempt, checkCountedFactor, failedAttemptWrites, recordFailedAttempt, recordRefusedAttempt, takeBackAttempt } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, type SessionTokens, type TokenPair } from "./issue-tokens.ts";
import { lockoutPolicy, tooManyAttempts } from "./lockout.ts";
import { newSession, openSessionIf } from "./new-session.ts";

export interface Credentials {
  email: string;
  password: string;
  /** The second factor of an admin who enrolled one: a TOTP or a recovery code. */
  mfaCode: string | null;
}

export type LoginResult = TokenPair & { user: AdminUser };

/**
 * Two D1 batches on the primary (a replica a few seconds behind would still
 * accept a password just changed) and at most one PBKDF2 derivation:
 *
 * 1. read the admin, count the attempt as a failure unless the email is locked,
 *    read the lock;
 * 2. a success opens the session, spends the second factor and clears the
 *    count; a failure records why; a right password still waiting for its
 *    MFA code takes the count back.
 *
 * An unknown email and a wrong password cost the same (one derivation, the
 * same two batches) and get the same bytes; a locked email, known or not,
 * costs no derivation. Only the right password learns that a code is needed.
 */
export async function login(ctx: AuthContext, credentials: Credentials): Promise<LoginResult> {
  await checkClientRateLimits(ctx.loginRateLimiters, ctx);

  const db = database(ctx.d1);
  const key = emailKey(credentials.email);
  const [[admin], [counted], [throttle]] = await storage(
    db.batch([findAdminByEmail(db, credentials.email), countAttempt(db, key, ctx.now, lockoutPolicy(ctx)), findThrottle(db, key)]),
  );
  const who = { email: key, adminId: admin?.id };

  if (!counted) {
    await storage(recordRefusedAttempt(ctx, db, key, admin?.id));
    throw tooManyAttempts(throttle, ctx.now);
  }

  const attempt = { key, counted: counted.failures };
  const check = admin
    ? await verifyPassword(credentials.password, admin.passwordHash, ctx.config.pbkdf2Iterations)
    : { valid: await burnPasswordCheck(credentials.password, ctx.config.pbkdf2Iterations), needsRehash: false };
  if (check.unusable) logError("unusable password hash", check.unusable.kind, { admin_id: admin?.id, ...check.unusable });
  if (!admin || !check.valid) {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "login_failed", reason: admin ? "wrong_password" : "unknown_email", ...who }));
    throw new ApiError("invalid_login");
  }
  // Only someone who knows the password learns that the account is disabled.
  if (!admin.isActive) {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "login_failed", reason: "account_disabled", ...who }));
    throw new ApiError("account_disabled");
  }
  // Like "MFA code required", said only to the right password, and no failure: the attempt is taken back.
  if (admin.passkeyOnly) {
    await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    throw new ApiError("passkey_required");
  }
  const factor = await checkLoginFactor(ctx, db, admin, credentials.mfaCode, attempt);
  const upgradedHash = check.needsRehash ? await hashPassword(credentials.password, ctx.config.pbkdf2Iterations) : null;
  const session = await openSession(ctx, db, admin, attempt, factor, upgradedHash);
  const tokens = await issueTokens(ctx, session);
  return { ...tokens, user: toAdminUser({ ...admin, lastLoginAt: ctx.now }) };
}

/**
 * The second batch of a login whose password (and code) checked out: one
 * transaction that opens the session only if the admin is unchanged and the
 * code unspent, and, if it did, spends the code, records the login and
 * clears the failures. If it did not, the batch itself says why: a code
 * spent meanwhile is a failure; a credential changed meanwhile is no wrong
 * password, and the attempt is taken back.
 */
async function openSession(
  ctx: AuthContext,
  db: Database,
  admin: AdminRow,
  attempt: CountedAttempt,
  factor: SecondFactor | null,
  upgradedHash: string | null,
): Promise<SessionTokens> {
  const session = newSession(ctx, admin.id, factor);
  const who = { email: attempt.key, adminId: admin.id };
  const opened = sessionOpened(session.sessionId);
  const unchanged = adminUnchanged(admin);
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    openSessionIf(ctx, db, session, factor ? sql`${unchanged} and ${factorUnspent(admin.id, factor)}` : unchanged),
    auditIfChanged(db, ctx.now, ctx.origin, { event: "login_succeeded", ...who, sessionId: session.sessionId }),
    recordLogin(db, admin.id, ctx.now, opened),
    clearFailures(db, attempt.key, opened),
  ];
  let codeRefusedAt = -1;
  if (factor) {
    writes.push(spendFactor(db, admin.id, factor, ctx.now, opened));
    if (factor.method === "recovery_code") {
      writes.push(auditIfChanged(db, ctx.now, ctx.origin, { event: "mfa_recovery_code_used", ...who, sessionId: session.sessionId }));
    }
    codeRefusedAt = writes.length;
    const codeRefused = sql`not ${opened} and ${unchanged}`;
    writes.push(...failedAttemptWrites(ctx, db, attempt, { event: "login_failed", reason: "mfa_invalid", ...who }, codeRefused));
  }
  writes.push(...takeBackAttempt(ctx, db, attempt, sql`not ${opened} and not ${unchanged}`));
  if (upgradedHash) writes.push(upgradePasswordHash(db, admin.id, admin.passwordHash, upgradedHash));
  const results = (await storage(db.batch(writes))) as unknown[][];
  if (results[0]?.length === 0) {
    if (results[codeRefusedAt]?.length) throw new ApiError("invalid_mfa_code");
    // The admin was disabled, or given a new password or second factor, while this login checked the old one.
    throw new ApiError("invalid_login");
  }
  return session;
}

/**
 * The password was right. Without MFA there is nothing more to check (a code
 * sent anyway is ignored). With it, a missing code is a question, not a
 * failure: the attempt is taken back. A code that is not right now is a
 * failure for the email's lockout, and stays counted.
 */
async function checkLoginFactor(
  ctx: AuthContext,
  db: Database,
  admin: AdminRow,
  mfaCode: string | null,
  attempt: CountedAttempt,
): Promise<SecondFactor | null> {
  if (admin.totpSecret === null) return null;
  if (mfaCode === null) {
    await storage(db.batch(takeBackAttempt(ctx, db, attempt)));
    throw new ApiError("mfa_required");
  }
  const factor = await checkCountedFactor(ctx, db, attempt, factorOwner(admin, admin.totpSecret), mfaCode);
  if (!factor) {
    await storage(recordFailedAttempt(ctx, db, attempt, { event: "login_failed", reason: "mfa_invalid", email: attempt.key, adminId: admin.id }));
    throw new ApiError("invalid_mfa_code");
  }
  return factor;
}
