import { sql } from "drizzle-orm";
import { database, storage } from "../db/client.ts";
import { type AdminRow, admins } from "../db/schema.ts";
import { ApiError } from "../errors/api-error.ts";
import { liveSession } from "../sessions/session-store.ts";
import { adminEmailKey, countSessionAttempt, emailKey, findThrottle } from "../throttle/login-throttle.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { type CountedAttempt, recordRefusedAttempt } from "./attempt-outcome.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";
import { lockoutPolicy, tooManyAttempts } from "./lockout.ts";

export interface AccountAttempt extends CountedAttempt {
  admin: AdminRow;
}

/**
 * The start of an action by a logged-in admin that checks something a thief
 * could guess (an MFA code): one D1 batch on the primary finds the admin
 * behind the access token's live session and counts the attempt against
 * their email before the check, exactly as login does. A stolen access token
 * thus gets no more guesses than the login form, and none once locked out.
 */
export async function beginAccountAttempt(ctx: AuthContext, claims: TokenClaims): Promise<AccountAttempt> {
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  const [[admin], [counted], [throttle]] = await storage(
    db.batch([
      db.select().from(admins).where(sql`${admins.id} = ${claims.sub} and ${live}`).limit(1),
      countSessionAttempt(db, live, claims.sub, ctx.now, lockoutPolicy(ctx)),
      findThrottle(db, adminEmailKey(claims.sub)),
    ]),
  );
  if (!admin) throw new ApiError("invalid_access_token");
  if (!counted) {
    await storage(recordRefusedAttempt(ctx, db, emailKey(admin.email), admin.id));
    throw tooManyAttempts(throttle, ctx.now);
  }
  return { admin, key: emailKey(admin.email), counted: counted.failures };
}
