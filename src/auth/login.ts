import type { BatchItem } from "drizzle-orm/batch";
import { findAdminByEmail, recordLogin, upgradePasswordHash } from "../admins/admin-store.ts";
import { type AdminUser, toAdminUser } from "../admins/admin-user.ts";
import { audit, auditIf, auditIfChanged } from "../audit/audit-log.ts";
import { type Database, database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { burnPasswordCheck, verifyPassword } from "../passwords/verify-password.ts";
import { insertSessionIfAdminUnchanged, sessionOpened } from "../sessions/session-store.ts";
import { clearFailures, countAttempt, emailKey, findThrottle, isLocked, lockedForSeconds } from "../throttle/login-throttle.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, refreshExpiresAt, type TokenPair } from "./issue-tokens.ts";

export interface Credentials {
  email: string;
  password: string;
}

export type LoginResult = TokenPair & { user: AdminUser };

/** The Rate Limiting binding counts per 60 s, so that is the longest a client must wait. */
const RATE_LIMIT_RETRY_AFTER = "60";

/**
 * Two D1 batches on the primary (a replica a few seconds behind would still
 * accept a password just changed) and at most one PBKDF2 derivation:
 *
 * 1. read the admin, count the attempt as a failure unless the email is locked,
 *    read the lock;
 * 2. a success opens the session and clears the count; a failure records why.
 *
 * An unknown email and a wrong password cost the same (one derivation, the
 * same two batches) and get the same bytes; a locked email, known or not,
 * costs no derivation.
 */
export async function login(ctx: AuthContext, credentials: Credentials): Promise<LoginResult> {
  const { success } = await storage(ctx.loginRateLimiter.limit({ key: ctx.origin.ip ?? "unknown" }));
  if (!success) throw new ApiError("too_many_attempts", { headers: { "retry-after": RATE_LIMIT_RETRY_AFTER } });

  const db = database(ctx.d1);
  const key = emailKey(credentials.email);
  const policy = { maxFailures: ctx.config.loginMaxFailures, lockoutSeconds: ctx.config.loginLockoutSeconds };
  const [[admin], counted, [throttle]] = await storage(
    db.batch([findAdminByEmail(db, credentials.email), countAttempt(db, key, ctx.now, policy), findThrottle(db, key)]),
  );
  const who = { email: key, adminId: admin?.id };

  if (counted.length === 0) {
    await storage(audit(db, ctx.now, ctx.origin, { event: "login_failed", reason: "locked", ...who }));
    throw new ApiError("too_many_attempts", { headers: { "retry-after": String(Math.max(1, lockedForSeconds(throttle, ctx.now))) } });
  }

  const check = admin
    ? await verifyPassword(credentials.password, admin.passwordHash, ctx.config.pbkdf2Iterations)
    : { valid: await burnPasswordCheck(credentials.password, ctx.config.pbkdf2Iterations), needsRehash: false };
  if (!admin || !check.valid) {
    await storage(recordFailure(ctx, db, key, admin ? "wrong_password" : "unknown_email", admin));
    throw new ApiError("invalid_login");
  }
  // Only someone who knows the password learns that the account is disabled.
  if (!admin.isActive) {
    await storage(recordFailure(ctx, db, key, "account_disabled", admin));
    throw new ApiError("account_disabled");
  }

  const session = { adminId: admin.id, sessionId: randomId(), refreshJti: randomId() };
  const upgradedHash = check.needsRehash ? await hashPassword(credentials.password, ctx.config.pbkdf2Iterations) : null;
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    insertSessionIfAdminUnchanged(
      db,
      {
        id: session.sessionId,
        adminId: admin.id,
        refreshJti: session.refreshJti,
        now: ctx.now,
        expiresAt: refreshExpiresAt(ctx),
        ip: ctx.origin.ip,
        userAgent: ctx.origin.userAgent,
      },
      admin.passwordHash,
    ),
    auditIfChanged(db, ctx.now, ctx.origin, { event: "login_succeeded", ...who, sessionId: session.sessionId }),
    recordLogin(db, admin.id, ctx.now, sessionOpened(session.sessionId)),
    clearFailures(db, key, sessionOpened(session.sessionId)),
  ];
  if (upgradedHash) writes.push(upgradePasswordHash(db, admin.id, admin.passwordHash, upgradedHash));
  const [opened] = await storage(db.batch(writes));
  // The admin was disabled or given a new password while this login checked the old one.
  if ((opened as unknown[]).length === 0) throw new ApiError("invalid_login");
  const tokens = await issueTokens(ctx, session);
  return { ...tokens, user: toAdminUser({ ...admin, lastLoginAt: ctx.now }) };
}

/** The failure was counted before the check; this records why, and whether it started a lockout. */
function recordFailure(ctx: AuthContext, db: Database, key: string, reason: string, admin: AdminRow | undefined) {
  const who = { email: key, adminId: admin?.id };
  return db.batch([
    audit(db, ctx.now, ctx.origin, { event: "login_failed", reason, ...who }),
    auditIf(db, ctx.now, ctx.origin, { event: "login_locked_out", ...who }, isLocked(key, ctx.now)),
  ]);
}
