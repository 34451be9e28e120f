import { and, eq, type SQL, sql } from "drizzle-orm";
import { recordLogin } from "../admins/admin-store.ts";
import { toAdminUser } from "../admins/admin-user.ts";
import { auditIf } from "../audit/audit-log.ts";
import { countUnknownEmailAttempt, tallyKey } from "../audit/unknown-email-tally.ts";
import type { AuthContext } from "../auth/auth-context.ts";
import { issueTokens, newSessionExpiresAt } from "../auth/issue-tokens.ts";
import type { LoginResult } from "../auth/login.ts";
import { openSessionIf } from "../auth/new-session.ts";
import { database, storage } from "../db/client.ts";
import { admins, passkeys, webauthnChallenges } from "../db/schema.ts";
import { decodeBase64Url, randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { sessionOpened } from "../sessions/session-store.ts";
import { checkClientRateLimits } from "../throttle/client-rate-limit.ts";
import { emailKey } from "../throttle/login-throttle.ts";
import { CHALLENGE_LIFETIME_SECONDS, issueChallenge, verifyChallenge } from "./challenge.ts";
import { readCredentialResponse } from "./credential-response.ts";
import { findPasskeyByCredentialId, previousStatementChanged, useChallenge } from "./passkey-store.ts";

/** `PublicKeyCredentialRequestOptionsJSON` (WebAuthn Level 3 §5.1.9), as `parseRequestOptionsFromJSON` reads it. */
export interface RequestOptions {
  challenge: string;
  rpId: string;
  timeout: number;
  userVerification: "required";
  allowCredentials: never[];
}

/**
 * The primary's own check of the signature counter (WebAuthn §6.1.1): the
 * stored counter must be below the one signed, or both 0 (a synced passkey).
 * Judged against the primary's row, not against the one read near the client:
 * a replica behind by a sign-in or two holds a lower counter, which must not
 * refuse a genuine authenticator, and must not let a clone through either.
 */
function counterMovesOn(newCounter: number): SQL {
  return sql`(${passkeys.counter} < ${newCounter} or (${passkeys.counter} = 0 and ${newCounter} = 0))`;
}

/**
 * A passkey session says how the admin signed in (RFC 8176 §2): `pop`, proof
 * of possession of a key (registered by OpenID Connect EAP ACR Values 1.0),
 * and `mfa`, as the authenticator verified the user.
 */
const PASSKEY_AMR = ["pop", "mfa"] as const;

/**
 * Sign-in options for discoverable credentials: no email is asked, so none is
 * revealed. The challenge is signed, not stored: this costs no D1 or KV, so
 * unauthenticated callers cannot grow storage or spend writes.
 */
export async function signInOptions(ctx: AuthContext): Promise<RequestOptions> {
  await checkClientRateLimits(ctx.loginRateLimiters, ctx);
  const { challenge } = await issueChallenge(ctx.config.mfaEncryptionKeys, { kind: "sign_in" }, ctx.now);
  return {
    challenge,
    rpId: ctx.config.webauthn.rpId,
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
    userVerification: "required",
    allowCredentials: [],
  };
}

/**
 * Signs an admin in with a passkey: the TOTP code is skipped (the passkey is
 * itself two factors) and the email's password lockout does not apply.
 *
 * One read near the client (the passkey and its admin, through the D1
 * Sessions API), then one batch on the primary that decides: the challenge
 * is recorded as used, the passkey's counter and `last_used_at` move on only
 * if the first did and the primary's counter is below the signed one (see
 * `counterMovesOn`), the session opens only if that happened and the admin
 * is active. N racing copies of one
 * assertion thus open one session. What `@simplewebauthn/server` leaves to
 * us is checked here: the challenge, that `rawId` is the credential looked
 * up, that `userHandle` is its owner's, and `verified`.
 */
export async function signInWithPasskey(ctx: AuthContext, response: Record<string, unknown>): Promise<LoginResult> {
  await checkClientRateLimits(ctx.loginRateLimiters, ctx);
  try {
    return await verifyAssertion(ctx, response);
  } catch (error) {
    // Counted on the client's hourly tally, not the passkey owner's audit log: see `unknownEmailAttempts`.
    if (error instanceof ApiError && error.code === "invalid_passkey") {
      const db = database(ctx.d1);
      await storage(countUnknownEmailAttempt(db, tallyKey(ctx), ctx.now, { passkeyFailures: 1 }, sql`1`));
    }
    throw error;
  }
}

async function verifyAssertion(ctx: AuthContext, response: Record<string, unknown>): Promise<LoginResult> {
  const invalid = () => new ApiError("invalid_passkey");
  const credential = readCredentialResponse(response);
  if (!credential || credential.rawId !== credential.id) throw invalid();
  const challenge = await verifyChallenge(ctx.config.mfaEncryptionKeys, credential.challenge, { kind: "sign_in" }, ctx.now);
  if (!challenge) throw invalid();

  const nearest = database(ctx.d1.withSession("first-unconstrained"));
  const db = database(ctx.d1);
  // A passkey registered a moment ago may not have reached the replica yet.
  const [nearby] = await storage(findPasskeyByCredentialId(nearest, credential.id));
  const found = nearby ?? (await storage(findPasskeyByCredentialId(db, credential.id)))[0];
  if (!found) throw invalid();
  const { passkey, admin } = found;
  if (credential.userHandle !== null && credential.userHandle !== admin.webauthnUserId) throw invalid();
  const storedKey = decodeBase64Url(passkey.publicKey);
  if (!storedKey) throw invalid();
  const publicKey = new Uint8Array(storedKey);

  const { verifyAuthenticationResponse } = await import("@simplewebauthn/server");
  const verification = await verifyAuthenticationResponse({
    response: response as unknown as Parameters<typeof verifyAuthenticationResponse>[0]["response"],
    expectedChallenge: credential.challenge,
    expectedOrigin: ctx.config.webauthn.origins,
    expectedRPID: ctx.config.webauthn.rpId,
    // The counter is judged below, once the signature is known to be good, so a regression can be audited.
    credential: { id: passkey.credentialId, publicKey, counter: 0 },
    requireUserVerification: true,
  }).catch(() => null);
  // The library answers a bad signature with `verified: false`, not an exception.
  if (!verification?.verified) throw invalid();

  const who = { email: emailKey(admin.email), adminId: admin.id };
  const { newCounter } = verification.authenticationInfo;
  // A counter that does not move on means a cloned authenticator (WebAuthn §6.1.1); synced passkeys keep 0 and 0.
  // A replayed assertion (a racing copy, a retry, one lifted from a log) carries the counter its first use
  // stored: it is audited only when its challenge is fresh, so one assertion never raises a false clone alarm.
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) {
    await storage(
      db.batch([
        useChallenge(db, challenge),
        auditIf(db, ctx.now, ctx.origin, { event: "passkey_counter_regressed", reason: `passkey:${passkey.id}`, ...who }, previousStatementChanged),
      ]),
    );
    throw invalid();
  }
  // Only the holder of the passkey learns that the account is disabled, as only the right password does: a replay
  // of a used assertion proves nothing now, so it is refused as one and writes no row.
  if (!admin.isActive) {
    const [fresh] = await storage(
      db.batch([
        useChallenge(db, challenge).returning({ hash: webauthnChallenges.challengeHash }),
        auditIf(db, ctx.now, ctx.origin, { event: "login_failed", reason: "account_disabled", ...who }, previousStatementChanged),
      ]),
    );
    throw fresh.length > 0 ? new ApiError("account_disabled") : invalid();
  }

  const session = {
    adminId: admin.id,
    sessionId: randomId(),
    refreshJti: randomId(),
    amr: PASSKEY_AMR,
    expiresAt: newSessionExpiresAt(ctx),
    authTime: ctx.now,
  };
  const opened = sessionOpened(session.sessionId);
  const adminActive = sql`exists (select 1 from ${admins} where ${admins.id} = ${admin.id} and ${admins.isActive})`;
  const [, , inserted] = await storage(
    db.batch([
      useChallenge(db, challenge),
      db
        .update(passkeys)
        .set({ counter: newCounter, lastUsedAt: ctx.now })
        .where(and(eq(passkeys.id, passkey.id), counterMovesOn(newCounter), previousStatementChanged)),
      openSessionIf(ctx, db, session, sql`${previousStatementChanged} and ${adminActive}`, passkey.id),
      recordLogin(db, admin.id, ctx.now, opened),
      auditIf(db, ctx.now, ctx.origin, { event: "login_succeeded", reason: "passkey", ...who, sessionId: session.sessionId }, opened),
    ]),
  );
  // The challenge was used already (a racing copy, a replay), the primary's counter had reached this one
  // (a clone the replica could not show yet), or the admin was disabled meanwhile.
  if (inserted.length === 0) throw invalid();
  const tokens = await issueTokens(ctx, session);
  return { ...tokens, user: toAdminUser({ ...admin, lastLoginAt: ctx.now }) };
}
