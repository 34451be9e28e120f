import type { EncryptionKey } from "../config/config.ts";
import { decodeBase64Url, encodeBase64Url } from "../encoding/base64.ts";

/**
 * WebAuthn challenges that cost no storage to issue: the bytes say what they
 * are for and until when, and carry a MAC, so a verify can tell a challenge
 * this service issued from any other without having kept it. Single use is
 * recorded by the verify that uses one (a `webauthn_challenges` row, in its
 * decision batch), so an unauthenticated `options` call writes nothing.
 *
 *   purpose (1) | key id (1) | expiry, epoch seconds (4) | random (16) | [user handle (16)] | HMAC-SHA256 (32)
 *
 * A registration challenge is also bound to its admin: their id is in the
 * MAC, so one admin's challenge fails another's verify.
 */
export const CHALLENGE_LIFETIME_SECONDS = 300;

const PURPOSES = {
  /** Sign-in: bound to nothing but this service. */
  signIn: 0x11,
  /** Registration by an admin who already has a user handle. */
  registration: 0x12,
  /** Registration by an admin with none yet: the handle the options proposed travels in the challenge. */
  registrationProposingHandle: 0x13,
} as const;

const RANDOM_BYTES = 16;
export const USER_HANDLE_BYTES = 16;
const MAC_BYTES = 32;
const HEADER_BYTES = 1 + 1 + 4;

/** HKDF "info": keys for challenges are separate from those that seal TOTP secrets, though derived from the same secret (RFC 5869 §3.2). */
const KEY_INFO = new TextEncoder().encode("scaikey webauthn challenge v1");

interface ChallengeKey {
  /** One byte naming the key in the challenge: the first byte of SHA-256(kid), so reordering the keys breaks nothing. */
  id: number;
  key: CryptoKey;
}

const keyCache = new WeakMap<readonly EncryptionKey[], Promise<ChallengeKey[]>>();

/** The HMAC keys derived from `MFA_ENCRYPTION_KEYS`, once per isolate: the first signs, all verify. */
function challengeKeys(keys: readonly EncryptionKey[]): Promise<ChallengeKey[]> {
  let derived = keyCache.get(keys);
  if (!derived) {
    derived = Promise.all(keys.map(deriveKey));
    keyCache.set(keys, derived);
  }
  return derived;
}

async function deriveKey({ kid, key }: EncryptionKey): Promise<ChallengeKey> {
  const material = await crypto.subtle.importKey("raw", key, "HKDF", false, ["deriveKey"]);
  const hmac = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: KEY_INFO },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
  const kidHash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(kid)));
  return { id: kidHash[0] ?? 0, key: hmac };
}

export type ChallengePurpose = { kind: "sign_in" } | { kind: "registration"; adminId: string; proposedHandle: Uint8Array | null };

export interface IssuedChallenge {
  /** base64url, as the options' `challenge` and the client's `clientDataJSON.challenge`. */
  challenge: string;
  expiresAt: number;
}

export async function issueChallenge(keys: readonly EncryptionKey[], purpose: ChallengePurpose, now: number): Promise<IssuedChallenge> {
  const [signer] = await challengeKeys(keys);
  if (!signer) throw new Error("no MFA_ENCRYPTION_KEYS to sign challenges with");
  const handle = purpose.kind === "registration" ? purpose.proposedHandle : null;
  const body = new Uint8Array(HEADER_BYTES + RANDOM_BYTES + (handle ? USER_HANDLE_BYTES : 0));
  const expiresAt = (Math.floor(now / 1000) + CHALLENGE_LIFETIME_SECONDS) * 1000;
  body[0] = purposeByte(purpose);
  body[1] = signer.id;
  new DataView(body.buffer).setUint32(2, expiresAt / 1000);
  crypto.getRandomValues(body.subarray(HEADER_BYTES, HEADER_BYTES + RANDOM_BYTES));
  if (handle) body.set(handle, HEADER_BYTES + RANDOM_BYTES);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", signer.key, macInput(body, purpose)));
  const challenge = new Uint8Array(body.length + MAC_BYTES);
  challenge.set(body);
  challenge.set(mac, body.length);
  return { challenge: encodeBase64Url(challenge), expiresAt };
}

export interface VerifiedChallenge {
  /** What the used-challenge row is keyed by. */
  hash: string;
  expiresAt: number;
  /** Registration: the user handle the options proposed (base64url), or null if the admin already had one. */
  proposedHandle: string | null;
}

/**
 * The challenge, if this service issued it for this purpose (and admin) and
 * it has not expired; null otherwise. Whether it was used already is for the
 * verify's decision batch to find out.
 */
export async function verifyChallenge(
  keys: readonly EncryptionKey[],
  challenge: string,
  expected: { kind: "sign_in" } | { kind: "registration"; adminId: string },
  now: number,
): Promise<VerifiedChallenge | null> {
  const bytes = decodeBase64Url(challenge);
  if (!bytes || bytes.length < HEADER_BYTES + RANDOM_BYTES + MAC_BYTES) return null;
  const purpose = bytes[0];
  const proposing = purpose === PURPOSES.registrationProposingHandle;
  const purposeMatches = expected.kind === "sign_in" ? purpose === PURPOSES.signIn : purpose === PURPOSES.registration || proposing;
  const length = HEADER_BYTES + RANDOM_BYTES + (proposing ? USER_HANDLE_BYTES : 0) + MAC_BYTES;
  if (!purposeMatches || bytes.length !== length) return null;

  const body = bytes.subarray(0, length - MAC_BYTES);
  const mac = bytes.subarray(length - MAC_BYTES);
  const bound: ChallengePurpose = expected.kind === "sign_in" ? expected : { ...expected, proposedHandle: null };
  let authentic = false;
  for (const candidate of await challengeKeys(keys)) {
    if (candidate.id !== bytes[1]) continue;
    // WebCrypto's HMAC verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", candidate.key, mac, macInput(body, bound))) authentic = true;
  }
  const expiresAt = new DataView(body.buffer, body.byteOffset).getUint32(2) * 1000;
  if (!authentic || expiresAt <= now) return null;

  const hash = encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  const handle = proposing ? encodeBase64Url(body.subarray(HEADER_BYTES + RANDOM_BYTES)) : null;
  return { hash, expiresAt, proposedHandle: handle };
}

function purposeByte(purpose: ChallengePurpose): number {
  if (purpose.kind === "sign_in") return PURPOSES.signIn;
  return purpose.proposedHandle ? PURPOSES.registrationProposingHandle : PURPOSES.registration;
}

/** The MAC covers the challenge's bytes and, for a registration, the admin it was issued to. */
function macInput(body: Uint8Array, purpose: ChallengePurpose): Uint8Array {
  if (purpose.kind === "sign_in") return body;
  const admin = new TextEncoder().encode(purpose.adminId);
  const input = new Uint8Array(body.length + admin.length);
  input.set(body);
  input.set(admin, body.length);
  return input;
}
