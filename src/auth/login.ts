import type { BatchItem } from "drizzle-orm/batch";
import { findAdminByEmail, recordLogin, upgradePasswordHash } from "../admins/admin-store.ts";
import { type AdminUser, toAdminUser } from "../admins/admin-user.ts";
import { database, storage } from "../db/client.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { hashPassword } from "../passwords/hash-password.ts";
import { burnPasswordCheck, verifyPassword } from "../passwords/verify-password.ts";
import { insertSession } from "../sessions/session-store.ts";
import type { AuthContext } from "./auth-context.ts";
import { issueTokens, refreshExpiresAt, type TokenPair } from "./issue-tokens.ts";

export interface LoginAttempt {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

export type LoginResult = TokenPair & { user: AdminUser };

/**
 * One primary read, one PBKDF2 derivation, one write batch. The read goes to
 * the primary, not a replica: a replica a few seconds behind would still accept
 * a password that was just changed.
 */
export async function login(ctx: AuthContext, attempt: LoginAttempt): Promise<LoginResult> {
  const db = database(ctx.d1);
  const [admin] = await storage(findAdminByEmail(db, attempt.email));
  if (!admin) {
    await burnPasswordCheck(attempt.password, ctx.config.pbkdf2Iterations);
    throw new ApiError("invalid_login");
  }
  const check = await verifyPassword(attempt.password, admin.passwordHash, ctx.config.pbkdf2Iterations);
  if (!check.valid) throw new ApiError("invalid_login");
  // Only someone who knows the password learns that the account is disabled.
  if (!admin.isActive) throw new ApiError("account_disabled");

  const session = { adminId: admin.id, sessionId: randomId(), refreshJti: randomId() };
  const upgradedHash = check.needsRehash ? await hashPassword(attempt.password, ctx.config.pbkdf2Iterations) : null;
  const writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    insertSession(db, {
      id: session.sessionId,
      adminId: admin.id,
      refreshJti: session.refreshJti,
      now: ctx.now,
      expiresAt: refreshExpiresAt(ctx),
      ip: attempt.ip,
      userAgent: attempt.userAgent,
    }),
    recordLogin(db, admin.id, ctx.now),
  ];
  if (upgradedHash) writes.push(upgradePasswordHash(db, admin.id, admin.passwordHash, upgradedHash));
  await storage(db.batch(writes));
  const tokens = await issueTokens(ctx, session);
  return { ...tokens, user: toAdminUser({ ...admin, lastLoginAt: ctx.now }) };
}
