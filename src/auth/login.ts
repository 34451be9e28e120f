import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { adminAsRead, findAdminByEmail, recordLogin, sameAdmin, upgradePasswordHash } from "../admins/admin-store.ts";
import { type AdminUser, toAdminUser } from "../admins/admin-user.ts";
import { auditIfChanged } from "../audit/audit-log.ts";
import { type Database, database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { ApiError, type ApiErrorCode } from "../errors/api-error.ts";
import { checkSecondFactor, factorOwner, factorUnspent, type SecondFactor, spendFactor } from "../mfa/second-factor.ts";
import { logError } from "../observability/log.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { burnPasswordCheck, type PasswordCheck, verifyPassword } from "../passwords/verify-password.ts";
import { sessionOpened } from "../sessions/session-store.ts";
import { checkClientRateLimits } from "../throttle/client-rate-limit.ts";
import { clearFailures, countRefusedAttempt, emailKey, findThrottle, lockedForSeconds, lockInForce, type ThrottleRow } from "../throttle/login-throttle.ts";
import { decidedAttemptWrites } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, type SessionTokens, type TokenPair } from "./issue-tokens.ts";
import { tooManyAttempts } from "./lockout.ts";
import { newSession, openSessionIf } from "./new-session.ts";

export interface Credentials {
  email: string;
  password: string;
  /** The second factor of an admin who enrolled one: a TOTP or a recovery code. */
  mfaCode: string | null;
}

export type LoginResult = TokenPair & { user: AdminUser };

/** What a login's decision rests on: the email's admin (if any) and its throttle row, as one read found them. */
interface Reading {
  admin: AdminRow | undefined;
  throttle: ThrottleRow | undefined;
}

/** What the check in JS made of the credentials, before the primary has its say. */
type Verdict =
  /** The read found the email locked: nothing was checked. */
  | { kind: "unchecked" }
  /** A failure, counted toward the lockout: its audit reason and its answer. */
  | { kind: "failure"; reason: string; answer: ApiErrorCode }
  /**
   * The right password, and no session: a question (a code or a passkey is
   * needed), or a code that could not be checked. Nothing is counted, and it
   * is said only if the primary agrees and the email is unlocked there.
   */
  | { kind: "question"; answer: ApiError }
  | { kind: "success"; admin: AdminRow; session: SessionTokens; factor: SecondFactor | null; upgradedHash: string | null };

/**
 * One round trip to D1's primary, the one a sign-in cannot avoid, and at most
 * one PBKDF2 derivation:
 *
 * 1. read the admin and the email's throttle row near the client, through the
 *    D1 Sessions API (a replica, when read replication is on);
 * 2. check the password (an unknown email: the same work against a dummy
 *    hash) and the second factor in JS; a locked email is not checked;
 * 3. one batch on the primary makes the decision: each statement takes
 *    effect only if the primary agrees with the read (the same admin with
 *    the same security stamp, or still none; the lock as read; the code
 *    unspent), and the batch reads the admin and the lock back.
 *
 * The answer is what the batch did. A replica behind the primary (a password
 * changed, an admin disabled, a lock set or lifted a moment ago) makes every
 * statement a no-op, and the login is decided again on what the batch read
 * back: a second round trip, only then. A replica can thus never accept a
 * password the primary no longer holds, nor count a right new password as a
 * failure because it still holds the old hash.
 *
 * An unknown email and a wrong password cost the same (one derivation, the
 * same read and batch of the same statements) and get the same bytes; a
 * locked email, known or not, costs no derivation. Only the right password
 * learns that a code is needed or that the account is disabled.
 */
export async function login(ctx: AuthContext, credentials: Credentials): Promise<LoginResult> {
  await checkClientRateLimits(ctx.loginRateLimiters, ctx);

  const near = database(ctx.d1.withSession("first-unconstrained"));
  const key = emailKey(credentials.email);
  const [[admin], [throttle]] = await storage(near.batch([findAdminByEmail(near, credentials.email), findThrottle(near, key)]));
  // A login decided again checks the password again only if the hash it is checked against changed.
  const checks = new Map<string, Promise<PasswordCheck>>();
  const checkPassword = (hash: string) => {
    const check = checks.get(hash) ?? verifyPassword(credentials.password, hash, ctx.config.pbkdf2Iterations);
    checks.set(hash, check);
    return check;
  };
  const decided = await decide(ctx, credentials, { admin, throttle }, checkPassword);
  if (decided.kind !== "stale") return decided.result;
  const again = await decide(ctx, credentials, decided.primary, checkPassword);
  // The admin changed again while this login was decided on the primary's own reading: no failure of the password's.
  if (again.kind === "stale") throw new ApiError("invalid_login");
  return again.result;
}

/** Checks the login's password against a stored hash. */
type PasswordChecker = (hash: string) => Promise<PasswordCheck>;

type Decision = { kind: "decided"; result: LoginResult } | { kind: "stale"; primary: Reading };

/** Checks the credentials against `read`, then lets the primary decide in one batch; throws the answer if it is no session. */
async function decide(ctx: AuthContext, credentials: Credentials, read: Reading, checkPassword: PasswordChecker): Promise<Decision> {
  const db = database(ctx.d1);
  const key = emailKey(credentials.email);
  const verdict = lockedForSeconds(read.throttle, ctx.now) > 0 ? ({ kind: "unchecked" } as const) : await check(ctx, credentials, read.admin, checkPassword);

  const asRead = adminAsRead(credentials.email, read.admin);
  const locked = lockInForce(key, ctx.now);
  const who = { email: key, adminId: read.admin?.id };
  const refused = sql`(${asRead} and ${locked})`;
  const unlocked = sql`(${asRead} and not ${locked})`;
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [...countRefusedAttempt(db, key, ctx.now, refused)];
  let counted = -1;
  let opened = -1;
  if (verdict.kind === "unchecked" || verdict.kind === "failure") {
    const failure = verdict.kind === "failure" ? { failed: unlocked, reason: verdict.reason } : { failed: sql`0`, reason: undefined };
    counted =
      statements.push(...decidedAttemptWrites(ctx, db, { event: "login_failed", reason: failure.reason, ...who }, { failed: failure.failed, refused })) - 1;
  }
  if (verdict.kind === "success") {
    opened = statements.length;
    const writes = sessionWrites(ctx, db, { key, admin: verdict.admin, session: verdict.session, factor: verdict.factor }, unlocked);
    statements.push(...writes);
    if (verdict.factor) counted = statements.length - 1;
    if (verdict.upgradedHash) statements.push(upgradePasswordHash(db, verdict.admin.id, verdict.admin.passwordHash, verdict.upgradedHash));
  }
  statements.push(findAdminByEmail(db, credentials.email), findThrottle(db, key));
  const results = (await storage(db.batch(statements))) as unknown[][];
  const primary: Reading = { admin: results.at(-2)?.[0] as AdminRow | undefined, throttle: results.at(-1)?.[0] as ThrottleRow | undefined };

  // What the read showed no longer holds on the primary: nothing above took effect.
  if (!sameAdmin(read.admin, primary.admin)) return { kind: "stale", primary };
  const lockedOnPrimary = lockedForSeconds(primary.throttle, ctx.now) > 0;
  if (verdict.kind === "unchecked" && !lockedOnPrimary) return { kind: "stale", primary };

  if (results[counted]?.length) throw new ApiError(verdict.kind === "failure" ? verdict.answer : "invalid_mfa_code");
  if (verdict.kind === "success" && primary.admin && results[opened]?.length) {
    const tokens = await issueTokens(ctx, verdict.session);
    return { kind: "decided", result: { ...tokens, user: toAdminUser(primary.admin) } };
  }
  if (verdict.kind === "question" && !lockedOnPrimary) throw verdict.answer;
  // Neither counted nor opened, the primary agreeing on the admin: the lock refused it, and counted the refusal.
  throw tooManyAttempts(primary.throttle, ctx.now);
}

/**
 * The password was checked against `admin` as read. Without MFA there is
 * nothing more to check (a code sent anyway is ignored); with it, a missing
 * code is a question, not a failure, and a code that is not right now is a
 * failure for the email's lockout.
 */
async function check(ctx: AuthContext, credentials: Credentials, admin: AdminRow | undefined, checkPassword: PasswordChecker): Promise<Verdict> {
  const iterations = ctx.config.pbkdf2Iterations;
  const password = admin ? await checkPassword(admin.passwordHash) : { valid: await burnPasswordCheck(credentials.password, iterations), needsRehash: false };
  if (password.unusable) logError("unusable password hash", password.unusable.kind, { admin_id: admin?.id, ...password.unusable });
  if (!admin || !password.valid) return { kind: "failure", reason: admin ? "wrong_password" : "unknown_email", answer: "invalid_login" };
  // Only someone who knows the password learns that the account is disabled.
  if (!admin.isActive) return { kind: "failure", reason: "account_disabled", answer: "account_disabled" };
  // Like "MFA code required", said only to the right password, and no failure.
  if (admin.passkeyOnly) return { kind: "question", answer: new ApiError("passkey_required") };
  let factor: SecondFactor | null = null;
  if (admin.totpSecret !== null) {
    if (credentials.mfaCode === null) return { kind: "question", answer: new ApiError("mfa_required") };
    try {
      factor = await checkSecondFactor(ctx.secretBox, factorOwner(admin, admin.totpSecret), credentials.mfaCode, ctx.now);
    } catch (error) {
      // A secret that cannot be opened (its key gone from MFA_ENCRYPTION_KEYS) is the operator's problem, counted as
      // nothing; its 500 waits for the primary, or a stale replica would answer it past a lock or an `mfa-reset`.
      if (error instanceof ApiError && error.code === "mfa_secret_unreadable") return { kind: "question", answer: error };
      throw error;
    }
    if (!factor) return { kind: "failure", reason: "mfa_invalid", answer: "invalid_mfa_code" };
  }
  const upgradedHash = password.needsRehash ? await hashPassword(credentials.password, iterations) : null;
  return { kind: "success", admin, session: newSession(ctx, admin.id, factor), factor, upgradedHash };
}

/**
 * A right password (and code): the session opens only if the primary agrees
 * with the read and the email is unlocked (`unlocked`), and the code is
 * unspent; if it did, the code is spent, the login recorded and the failures
 * cleared. A code spent meanwhile (a racing copy of it) is a failure, counted
 * by the last statement, which returns its row if it was.
 */
function sessionWrites(ctx: AuthContext, db: Database, login: SignIn, unlocked: SQL) {
  const { key, admin, session, factor } = login;
  const who = { email: key, adminId: admin.id };
  const opened = sessionOpened(session.sessionId);
  const writes: BatchItem<"sqlite">[] = [
    openSessionIf(ctx, db, session, factor ? sql`${unlocked} and ${factorUnspent(admin.id, factor)}` : unlocked),
    auditIfChanged(db, ctx.now, ctx.origin, { event: "login_succeeded", ...who, sessionId: session.sessionId }),
    recordLogin(db, admin.id, ctx.now, opened),
    clearFailures(db, key, opened),
  ];
  if (!factor) return writes;
  writes.push(spendFactor(db, admin.id, factor, ctx.now, opened));
  if (factor.method === "recovery_code") {
    writes.push(auditIfChanged(db, ctx.now, ctx.origin, { event: "mfa_recovery_code_used", ...who, sessionId: session.sessionId }));
  }
  const codeSpent = sql`(not ${opened} and ${unlocked})`;
  writes.push(...decidedAttemptWrites(ctx, db, { event: "login_failed", reason: "mfa_invalid", ...who }, { failed: codeSpent, refused: sql`0` }));
  return writes;
}

/** A session about to be opened for `admin`, as read, with the factor that proved it. */
interface SignIn {
  key: string;
  admin: AdminRow;
  session: SessionTokens;
  factor: SecondFactor | null;
}
