import type { SQL } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { randomId } from "../encoding/base64.ts";
import { authenticationMethods, type SecondFactor } from "../mfa/second-factor.ts";
import { insertSessionIf } from "../sessions/session-store.ts";
import type { AuthContext } from "./auth-context.ts";
import { newSessionExpiresAt, type SessionTokens } from "./issue-tokens.ts";

/**
 * A session about to be opened by credentials just checked: a login, or a
 * password change, which proves the password (and the code) as a login does.
 * Its row and its tokens are both made from this, so they say the same.
 */
export function newSession(ctx: AuthContext, adminId: string, factor: SecondFactor | null): SessionTokens {
  return {
    adminId,
    sessionId: randomId(),
    refreshJti: randomId(),
    amr: authenticationMethods(factor),
    expiresAt: newSessionExpiresAt(ctx),
    authTime: ctx.now,
  };
}

/**
 * Opens `session`, as seen from the request's origin, only if `condition`
 * holds inside the batch (see `insertSessionIf`); `passkeyId`: the passkey
 * that signed the admin in, whose removal ends the session.
 */
export function openSessionIf(ctx: AuthContext, db: Database, session: SessionTokens, condition: SQL, passkeyId: string | null = null) {
  const row = {
    id: session.sessionId,
    adminId: session.adminId,
    refreshJti: session.refreshJti,
    now: ctx.now,
    expiresAt: session.expiresAt,
    ip: ctx.origin.ip,
    userAgent: ctx.origin.userAgent,
    amr: session.amr,
    authTime: session.authTime,
    passkeyId,
  };
  return insertSessionIf(db, row, condition);
}
