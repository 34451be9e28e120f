import type { BatchItem } from "drizzle-orm/batch";
import { findAdminByEmail, recordLogin, upgradePasswordHash } from "../admins/admin-store.ts";
import { type AdminUser, toAdminUser } from "../admins/admin-user.ts";
import { audit, auditIf } from "../audit/audit-log.ts";
import { type Database, database, storage } from "../db/client.ts";
import type { AdminRow } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { burnPasswordCheck, verifyPassword } from "../passwords/verify-password.ts";
import { insertSession } from "../sessions/session-store.ts";
import {
  clearFailures,
  findThrottle,
  lockedAfterFailure,
  lockedForSeconds,
  recordFailure,
  throttleKey,
} from "../throttle/login-throttle.ts";
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
 * One primary read batch (admin and throttle state), at most one PBKDF2
 * derivation, one write batch. The read goes to the primary, not a replica: a
 * replica a few seconds behind would still accept a password just changed.
 *
 * Unknown email, wrong password and locked email are indistinguishable: the
 * first two cost one derivation and one write batch each, and a lockout is
 * kept per email whether or not an admin has it.
 */
export async function login(ctx: AuthContext, credentials: Credentials): Promise<LoginResult> {
  const { success } = await ctx.loginRateLimiter.limit({ key: ctx.origin.ip ?? "unknown" });
  if (!success) throw new ApiError("too_many_attempts", { headers: { "retry-after": RATE_LIMIT_RETRY_AFTER } });

  const db = database(ctx.d1);
  const key = throttleKey(credentials.email);
  const [[admin], [throttle]] = await storage(db.batch([findAdminByEmail(db, credentials.email), findThrottle(db, key)]));

  const lockedFor = lockedForSeconds(throttle, ctx.now);
  if (lockedFor > 0) {
    await storage(audit(db, ctx.now, ctx.origin, { event: "login_failed", reason: "locked", email: key, adminId: admin?.id }));
    throw new ApiError("too_many_attempts", { headers: { "retry-after": String(lockedFor) } });
  }

  const check = admin
    ? await verifyPassword(credentials.password, admin.passwordHash, ctx.config.pbkdf2Iterations)
    : { valid: await burnPasswordCheck(credentials.password, ctx.config.pbkdf2Iterations), needsRehash: false };
  if (!admin || !check.valid) {
    await storage(recordLoginFailure(ctx, db, key, admin));
    throw new ApiError("invalid_login");
  }
  // Only someone who knows the password learns that the account is disabled.
  if (!admin.isActive) {
    await storage(audit(db, ctx.now, ctx.origin, { event: "login_failed", reason: "account_disabled", email: key, adminId: admin.id }));
    throw new ApiError("account_disabled");
  }

  const session = { adminId: admin.id, sessionId: randomId(), refreshJti: randomId() };
  const upgradedHash = check.needsRehash ? await hashPassword(credentials.password, ctx.config.pbkdf2Iterations) : null;
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    insertSession(db, {
      id: session.sessionId,
      adminId: admin.id,
      refreshJti: session.refreshJti,
      now: ctx.now,
      expiresAt: refreshExpiresAt(ctx),
      ip: ctx.origin.ip,
      userAgent: ctx.origin.userAgent,
    }),
    recordLogin(db, admin.id, ctx.now),
    clearFailures(db, key),
    audit(db, ctx.now, ctx.origin, { event: "login_succeeded", email: key, adminId: admin.id, sessionId: session.sessionId }),
  ];
  if (upgradedHash) writes.push(upgradePasswordHash(db, admin.id, admin.passwordHash, upgradedHash));
  await storage(db.batch(writes));
  const tokens = await issueTokens(ctx, session);
  return { ...tokens, user: toAdminUser({ ...admin, lastLoginAt: ctx.now }) };
}

/** The failure, its audit row and, if it tipped the count over, the lockout's: one batch. */
function recordLoginFailure(ctx: AuthContext, db: Database, key: string, admin: AdminRow | undefined) {
  const who = { email: key, adminId: admin?.id };
  return db.batch([
    recordFailure(db, key, ctx.now, { maxFailures: ctx.config.loginMaxFailures, lockoutSeconds: ctx.config.loginLockoutSeconds }),
    audit(db, ctx.now, ctx.origin, { event: "login_failed", reason: admin ? "wrong_password" : "unknown_email", ...who }),
    auditIf(db, ctx.now, ctx.origin, { event: "login_locked_out", ...who }, lockedAfterFailure(key, ctx.now)),
  ]);
}
