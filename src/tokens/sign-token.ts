import { SignJWT } from "jose";
import { type Keyring, SIGNING_ALGORITHM } from "./keyring.ts";
import { TOKEN_TYPES, type TokenClaims, type TokenKind } from "./token-types.ts";

export interface TokenAudience {
  issuer: string;
  audience: string;
}

/**
 * `amr` (RFC 8176 §2, registered for JWTs by RFC 8176 §6.1) tells the services
 * that verify these tokens how the admin logged in: `mfa` is there only after
 * a second factor, so a service can demand it for its most sensitive actions.
 */
export function signToken(keyring: Keyring, kind: TokenKind, claims: TokenClaims & { amr: readonly string[] }, audience: TokenAudience): Promise<string> {
  return new SignJWT({ sid: claims.sid, amr: [...claims.amr] })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: keyring.signer.kid, typ: TOKEN_TYPES[kind] })
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(keyring.signer.key);
}
