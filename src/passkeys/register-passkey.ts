import { and, eq, isNull, sql } from "drizzle-orm";
import { auditIf } from "../audit/audit-log.ts";
import type { AuthContext } from "../auth/auth-context.ts";
import { sessionClock } from "../auth/issue-tokens.ts";
import { database, storage } from "../db/client.ts";
import { constantRowIf } from "../db/constant-columns.ts";
import { admins, passkeys } from "../db/schema.ts";
import { decodeBase64Url, encodeBase64Url, randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { liveSession } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { defaultPasskeyName } from "./authenticator-names.ts";
import { CHALLENGE_LIFETIME_SECONDS, issueChallenge, USER_HANDLE_BYTES, verifyChallenge } from "./challenge.ts";
import { readCredentialResponse } from "./credential-response.ts";
import { adminWithPasskeys } from "./own-passkeys.ts";
import {
  MAX_PASSKEYS,
  nameTaken,
  type PasskeyView,
  passkeyCount,
  passkeyStored,
  previousStatementChanged,
  toPasskeyView,
  useChallenge,
} from "./passkey-store.ts";

/** COSE algorithms offered and accepted: ES256, which every passkey provider supports, and RS256 for Windows Hello's older keys. */
export const SUPPORTED_ALGORITHMS = [-7, -257] as const;

/** `PublicKeyCredentialCreationOptionsJSON` (WebAuthn Level 3 §5.1.8), as `parseCreationOptionsFromJSON` reads it. */
export interface CreationOptions {
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: "public-key"; alg: number }[];
  timeout: number;
  excludeCredentials: { type: "public-key"; id: string; transports: string[] }[];
  authenticatorSelection: { residentKey: "required"; requireResidentKey: true; userVerification: "required" };
  attestation: "none";
}

/**
 * The options of a registration: a discoverable credential (so sign-in needs
 * no email) with user verification, none of the admin's existing ones again.
 * The user handle is the admin's, or a fresh random one the challenge carries
 * until the first registration stores it. Reads only, no writes.
 */
export async function registrationOptions(ctx: AuthContext, claims: TokenClaims): Promise<CreationOptions> {
  const { admin, passkeys: existing } = await adminWithPasskeys(ctx, claims);
  const proposedHandle = admin.webauthnUserId === null ? crypto.getRandomValues(new Uint8Array(USER_HANDLE_BYTES)) : null;
  const { challenge } = await issueChallenge(ctx.config.mfaEncryptionKeys, { kind: "registration", adminId: admin.id, proposedHandle }, ctx.now);
  const { rpId, rpName } = ctx.config.webauthn;
  return {
    rp: { id: rpId, name: rpName },
    user: { id: admin.webauthnUserId ?? encodeBase64Url(proposedHandle as Uint8Array), name: admin.email, displayName: admin.name },
    challenge,
    pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ type: "public-key", alg })),
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
    excludeCredentials: existing.map((passkey) => ({ type: "public-key", id: passkey.credentialId, transports: JSON.parse(passkey.transports) })),
    // requireResidentKey: WebAuthn §5.4.4 asks for it beside residentKey "required", for Level 1 clients.
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    attestation: "none",
  };
}

export interface Registration {
  /** `RegistrationResponseJSON`, unchecked. */
  response: Record<string, unknown>;
  name: string | null;
}

/**
 * Verifies a registration and stores the passkey. `@simplewebauthn/server`
 * checks the ceremony (type, origin, RP id hash, flags, algorithm,
 * attestation); the challenge is ours: issued by this admin's options, not
 * expired, and used by exactly one verify, success or not. One D1 batch
 * decides: the challenge is recorded as used, and only the statement that
 * did so lets the passkey in, so of N verifies racing with one challenge at
 * most one stores anything.
 */
export async function registerPasskey(ctx: AuthContext, claims: TokenClaims, registration: Registration): Promise<PasskeyView> {
  const { admin, passkeys: existing } = await adminWithPasskeys(ctx, claims);
  const fail = () => new ApiError("passkey_registration_invalid");
  const credential = readCredentialResponse(registration.response);
  if (!credential) throw fail();
  const challenge = await verifyChallenge(ctx.config.mfaEncryptionKeys, credential.challenge, { kind: "registration", adminId: admin.id }, ctx.now);
  if (!challenge) throw fail();
  const handle = challenge.proposedHandle ?? admin.webauthnUserId;

  const db = database(ctx.d1);
  const { verifyRegistrationResponse } = await import("@simplewebauthn/server");
  const verification = await verifyRegistrationResponse({
    response: registration.response as unknown as Parameters<typeof verifyRegistrationResponse>[0]["response"],
    expectedChallenge: credential.challenge,
    expectedOrigin: ctx.config.webauthn.origins,
    expectedRPID: ctx.config.webauthn.rpId,
    requireUserPresence: true,
    requireUserVerification: true,
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  }).catch(() => null);
  if (!verification?.verified || handle === null || !decodeBase64Url(handle)) {
    // Each challenge serves one verify: a failed one uses it up too.
    await storage(db.batch([useChallenge(db, challenge)]));
    throw fail();
  }

  const info = verification.registrationInfo;
  const passkeyId = randomId();
  const name = registration.name ?? defaultPasskeyName(info.aaguid, new Set(existing.map((passkey) => passkey.name)));
  const live = liveSession(claims.sid, admin.id, sessionClock(ctx));
  // The handle the authenticator stored must become (or already be) the admin's, or its sign-ins would name someone else.
  const handleFits =
    challenge.proposedHandle === null
      ? sql`${admins.webauthnUserId} = ${handle}`
      : sql`(${admins.webauthnUserId} is null or ${admins.webauthnUserId} = ${handle})`;
  const row = {
    id: passkeyId,
    adminId: admin.id,
    credentialId: info.credential.id,
    publicKey: encodeBase64Url(info.credential.publicKey),
    counter: info.credential.counter,
    transports: JSON.stringify(info.credential.transports ?? []),
    aaguid: info.aaguid,
    backedUp: info.credentialBackedUp,
    name,
    createdAt: ctx.now,
    lastUsedAt: null,
  };
  const admits = sql`${previousStatementChanged} and ${live}
    and exists (select 1 from ${admins} where ${admins.id} = ${admin.id} and ${handleFits})
    and ${passkeyCount(admin.id)} < ${MAX_PASSKEYS}
    and not exists (select 1 from ${passkeys} where ${passkeys.credentialId} = ${row.credentialId})`;
  const [, stored, , , [state]] = await storage(
    db.batch([
      useChallenge(db, challenge),
      db
        .insert(passkeys)
        .select(constantRowIf(db, row, admits) as never)
        .onConflictDoNothing()
        .returning({ id: passkeys.id }),
      db
        .update(admins)
        .set({ webauthnUserId: handle })
        .where(and(eq(admins.id, admin.id), isNull(admins.webauthnUserId), passkeyStored(passkeyId))),
      auditIf(
        db,
        ctx.now,
        ctx.origin,
        { event: "passkey_registered", reason: `passkey:${passkeyId}`, adminId: admin.id, sessionId: claims.sid },
        passkeyStored(passkeyId),
      ),
      db
        .select({
          live: sql<number>`${live}`,
          credentialTaken: sql<number>`exists (select 1 from ${passkeys} where ${passkeys.credentialId} = ${row.credentialId} and ${passkeys.id} <> ${passkeyId})`,
          count: passkeyCount(admin.id),
          nameTaken: nameTaken(admin.id, name, passkeyId),
        })
        .from(sql`(select 1)`),
    ]),
  );
  if (stored.length === 1) return toPasskeyView(row);
  if (state?.credentialTaken) throw new ApiError("passkey_already_registered");
  if (!state?.live) throw new ApiError("invalid_access_token");
  if ((state?.count ?? 0) >= MAX_PASSKEYS) throw new ApiError("too_many_passkeys");
  if (state?.nameTaken) throw new ApiError("passkey_name_taken");
  // The challenge was used already, or another registration gave the admin a different handle meanwhile.
  throw fail();
}
