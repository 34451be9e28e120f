import { compactVerify } from "jose";
import { JOSEError } from "jose/errors";
import { type Keyring, SIGNING_ALGORITHM } from "./keyring.ts";
import type { TokenAudience } from "./sign-token.ts";
import { MAX_TOKEN_LENGTH, type TokenClaims, type TokenKind } from "./token-types.ts";

/**
 * How far past this isolate's clock a token's `iat` may be. Only this service
 * signs tokens, so the only skew is between its own isolates' clocks: NTP
 * keeps those within milliseconds, and `iat` is written rounded down. A
 * minute leaves room for a machine whose clock has drifted, while letting a
 * token outlive its configured life by at most that minute.
 */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** The header bytes already pin the algorithm; jose is told too. One object for every call. */
const VERIFY_OPTIONS = { algorithms: [SIGNING_ALGORITHM] };

/**
 * Returns the claims of a valid token of the given kind, or null.
 *
 * The protected header must be, byte for byte, one this service writes for
 * this kind with a configured key: `{"alg":"ES256","kid":…,"typ":…}`, looked
 * up before anything is decoded. jose acts on some members before the
 * signature is checked (`crit`, `b64`) and others name keys to fetch or trust
 * (`jku`, `jwk`, `x5u`, `x5c`); none of them, nor `alg: none`, HS256 or an
 * unknown `kid`, ever reaches jose. Exact bytes also refuse what a member
 * check would let through: a repeated member (RFC 7515 §4 lets a parser keep
 * the last, and another verifier of our tokens may keep the first), other
 * member orders or whitespace, another base64url spelling of the same bytes.
 *
 * The claims set is parsed only after the signature holds, so only bytes
 * this service wrote (one object through `JSON.stringify`: no repeated
 * names) are parsed. They are checked as RFC 9068 §4 asks of an access token:
 * our issuer, our audience, not expired, and every claim this service relies
 * on present. Nor may a token do what none this service writes does: carry
 * an `iat` ahead of our clocks, an `exp − iat` over `longestLife`, `nbf`, or
 * an audience list.
 *
 * `longestLife`: seconds, the longest `exp − iat` this service writes for
 * this kind (`longestLife` in src/auth/issue-tokens.ts).
 */
export async function verifyToken(keyring: Keyring, kind: TokenKind, token: string, audience: TokenAudience, longestLife: number): Promise<TokenClaims | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const headerEnd = token.indexOf(".");
  const key = headerEnd > 0 ? keyring.verifiers[kind].get(token.slice(0, headerEnd)) : undefined;
  if (!key) return null;
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key, VERIFY_OPTIONS));
  } catch (error) {
    if (error instanceof JOSEError) return null;
    throw error;
  }
  const claims = parseClaims(payload);
  if (!claims) return null;
  const { iss, aud, sub, sid, jti, iat, exp } = claims;
  if (iss !== audience.issuer || aud !== audience.audience || "nbf" in claims) return null;
  const now = Date.now() / 1000;
  // Whole seconds, as this service writes them: 1e400 parses as Infinity, which would never expire.
  if (!wholeSeconds(exp) || exp <= now || !wholeSeconds(iat)) return null;
  // `iat` says when a token was issued (RFC 7519 §4.1.6); a future one could only stretch its life.
  if (iat > now + MAX_CLOCK_SKEW_SECONDS || exp - iat > longestLife) return null;
  if (!nonEmpty(sub) || !nonEmpty(sid) || !nonEmpty(jti)) return null;
  // Absent on tokens of sessions opened before it was recorded; present, it must be what this service writes.
  const authTime = claims.auth_time ?? null;
  if (authTime !== null && !wholeSeconds(authTime)) return null;
  return { sub, sid, jti, iat, exp, auth_time: authTime };
}

function wholeSeconds(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** Strict: a claims set that is not UTF-8 was not written by this service. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseClaims(payload: Uint8Array): Record<string, unknown> | null {
  try {
    const claims: unknown = JSON.parse(utf8.decode(payload));
    return claims !== null && typeof claims === "object" && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
