import { and, eq, isNull } from "drizzle-orm";
import { auditIfChanged } from "../audit/audit-log.ts";
import { database, storage } from "../db/client.ts";
import { admins } from "../db/schema.ts";
import { encodeBase32 } from "../encoding/base32.ts";
import { ApiError } from "../errors/api-error.ts";
import { otpauthUri } from "../mfa/otpauth-uri.ts";
import { totpSecretContext } from "../mfa/second-factor.ts";
import { TOTP_SECRET_BYTES } from "../mfa/totp.ts";
import { liveSession, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";
import { sessionClock } from "./issue-tokens.ts";

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

/**
 * Starts enrolment: a fresh secret, sealed and stored as pending (replacing
 * any earlier one), changes nothing at login until `confirm` proves the app
 * has it. One D1 batch on the primary: the conditional write, its audit row,
 * and the state that explains a refusal.
 */
export async function setupTotp(ctx: AuthContext, claims: TokenClaims): Promise<TotpSetup> {
  const secret = crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES));
  const sealed = await ctx.secretBox.seal(secret, totpSecretContext(claims.sub));
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  const [[started], , [state]] = await storage(
    db.batch([
      db
        .update(admins)
        .set({ totpPendingSecret: sealed, updatedAt: ctx.now })
        .where(and(eq(admins.id, claims.sub), isNull(admins.totpSecret), live))
        .returning({ email: admins.email }),
      auditIfChanged(db, ctx.now, ctx.origin, { event: "mfa_setup_started", adminId: claims.sub, sessionId: claims.sid }),
      sessionLiveness(db, live),
    ]),
  );
  if (!started) throw new ApiError(state?.live ? "mfa_already_enabled" : "invalid_access_token");
  const base32 = encodeBase32(secret);
  return { secret: base32, otpauth_uri: otpauthUri(ctx.config.mfaIssuer, started.email, base32) };
}
