import { SignJWT } from "jose";
import { type Keyring, SIGNING_ALGORITHM } from "./keyring.ts";
import { TOKEN_TYPES, type TokenClaims, type TokenKind } from "./token-types.ts";

export interface TokenAudience {
  issuer: string;
  audience: string;
}

export function signToken(keyring: Keyring, kind: TokenKind, claims: TokenClaims, audience: TokenAudience): Promise<string> {
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: keyring.signer.kid, typ: TOKEN_TYPES[kind] })
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(keyring.signer.key);
}
