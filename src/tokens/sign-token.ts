import { CompactSign } from "jose";
import { type Keyring, protectedHeader } from "./keyring.ts";
import type { TokenClaims, TokenKind } from "./token-types.ts";

export interface TokenAudience {
  issuer: string;
  audience: string;
}

const encoder = new TextEncoder();

/**
 * A JWT is a JWS whose payload is the claims set (RFC 7519 §7.1): jose's
 * compact JWS signs it, without the JWT builder's claim helpers, which only
 * restate what is written here.
 *
 * `amr` (RFC 8176 §2, registered for JWTs by RFC 8176 §6.1) tells the services
 * that verify these tokens how the admin logged in: `mfa` is there only after
 * a second factor, so a service can demand it for its most sensitive actions.
 * `auth_time` lets them, and the step-up routes here, ask how recent the
 * sign-in behind the token is (RFC 9470).
 */
export function signToken(keyring: Keyring, kind: TokenKind, claims: TokenClaims & { amr: readonly string[] }, audience: TokenAudience): Promise<string> {
  const payload = {
    sid: claims.sid,
    amr: claims.amr,
    ...(claims.auth_time === null ? {} : { auth_time: claims.auth_time }),
    iss: audience.issuer,
    aud: audience.audience,
    sub: claims.sub,
    jti: claims.jti,
    iat: claims.iat,
    exp: claims.exp,
  };
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(protectedHeader(keyring.signer.kid, kind)).sign(keyring.signer.key);
}
