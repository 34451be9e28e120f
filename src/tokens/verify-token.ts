import { compactVerify } from "jose";
import { JOSEError, JWKSNoMatchingKey } from "jose/errors";
import { type Keyring, SIGNING_ALGORITHM } from "./keyring.ts";
import type { TokenAudience } from "./sign-token.ts";
import { MAX_TOKEN_LENGTH, TOKEN_TYPES, type TokenClaims, type TokenKind } from "./token-types.ts";

/**
 * Returns the claims of a valid token of the given kind, or null. The algorithm
 * is pinned, so `alg: none` and HS256-with-the-public-key forgeries never reach
 * a key; an unknown `kid` finds no key at all. jose checks the JWS (RFC 7515,
 * `crit` included); the claims are checked here as RFC 9068 §4 asks of an
 * access token: our issuer, our audience, not expired, and every claim this
 * service relies on present. Only tokens this service signed get this far,
 * and it never writes `nbf` or an audience list, so neither is accepted.
 */
export async function verifyToken(keyring: Keyring, kind: TokenKind, token: string, audience: TokenAudience): Promise<TokenClaims | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keyring.verifiers.get(header.kid);
        if (!key) throw new JWKSNoMatchingKey();
        return key;
      },
      { algorithms: [SIGNING_ALGORITHM] },
    );
  } catch (error) {
    if (error instanceof JOSEError) return null;
    throw error;
  }
  if (verified.protectedHeader.typ !== TOKEN_TYPES[kind]) return null;
  const claims = parseClaims(verified.payload);
  if (!claims) return null;
  const { iss, aud, sub, sid, jti, iat, exp } = claims;
  if (iss !== audience.issuer || aud !== audience.audience || "nbf" in claims) return null;
  // Whole seconds, as this service writes them: 1e400 parses as Infinity, which would never expire.
  if (!wholeSeconds(exp) || exp <= Date.now() / 1000 || !wholeSeconds(iat)) return null;
  if (!nonEmpty(sub) || !nonEmpty(sid) || !nonEmpty(jti)) return null;
  return { sub, sid, jti, iat, exp };
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
