import { env } from "cloudflare:workers";
import { decodeJwt, importJWK, type JWK, SignJWT } from "jose";

export interface ForgeOptions {
  keyIndex?: number;
  typ?: string;
  kid?: string;
  claims?: Record<string, unknown>;
  key?: CryptoKey;
}

/** Signs a token with the test keys (or a given key), so tests can make any token the worker might meet. */
export async function forgeToken(options: ForgeOptions = {}): Promise<string> {
  const keys = JSON.parse(env.JWT_SIGNING_KEYS) as JWK[];
  const jwk = keys[options.keyIndex ?? 0] as JWK;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: env.JWT_ISSUER,
    aud: env.JWT_AUDIENCE,
    sub: "admin-id",
    sid: "session-id",
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    ...options.claims,
  };
  const key = options.key ?? ((await importJWK(jwk, "ES256")) as CryptoKey);
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: options.kid ?? (jwk.kid as string), typ: options.typ ?? "at+jwt" }).sign(key);
}

/** The session a token belongs to (its `sid` claim). */
export function sidOf(token: string): string {
  return String(decodeJwt(token).sid);
}
