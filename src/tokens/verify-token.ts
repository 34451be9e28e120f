import { errors, jwtVerify } from "jose";
import { type Keyring, SIGNING_ALGORITHM } from "./keyring.ts";
import type { TokenAudience } from "./sign-token.ts";
import { MAX_TOKEN_LENGTH, TOKEN_TYPES, type TokenClaims, type TokenKind } from "./token-types.ts";

const REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"];

/**
 * Returns the claims of a valid token of the given kind, or null. The algorithm
 * is pinned, so `alg: none` and HS256-with-the-public-key forgeries never reach
 * a key; an unknown `kid` finds no key at all.
 */
export async function verifyToken(keyring: Keyring, kind: TokenKind, token: string, audience: TokenAudience): Promise<TokenClaims | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keyring.verifiers.get(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [SIGNING_ALGORITHM],
        typ: TOKEN_TYPES[kind],
        issuer: audience.issuer,
        audience: audience.audience,
        requiredClaims: REQUIRED_CLAIMS,
      },
    );
    const { sub, sid, jti, iat, exp } = payload;
    if (typeof sid !== "string" || !sub || !jti || iat === undefined || exp === undefined) return null;
    return { sub, sid, jti, iat, exp };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
