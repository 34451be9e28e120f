import type { JWK } from "jose";
import { ConfigError, jsonArray } from "../config/config.ts";

export const SIGNING_ALGORITHM = "ES256";

export interface Keyring {
  signer: { kid: string; key: CryptoKey };
  /** Every configured key verifies, so tokens signed before a rotation stay valid. */
  verifiers: ReadonlyMap<string, CryptoKey>;
  /** `/.well-known/jwks.json`, rendered once: public halves only. */
  jwks: string;
}

const keyrings = new Map<string, Promise<Keyring>>();

/** Parses and imports `JWT_SIGNING_KEYS` once per isolate: key import is the costly part of a verify. */
export function loadKeyring(secret: string): Promise<Keyring> {
  let keyring = keyrings.get(secret);
  if (!keyring) {
    keyring = importKeyring(secret);
    keyring.catch(() => keyrings.delete(secret));
    keyrings.set(secret, keyring);
  }
  return keyring;
}

async function importKeyring(secret: string): Promise<Keyring> {
  const jwks = parseSigningKeys(secret);
  const verifiers = new Map<string, CryptoKey>();
  const publicJwks: JWK[] = [];
  for (const [index, jwk] of jwks.entries()) {
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: SIGNING_ALGORITHM, use: "sig" };
    verifiers.set(jwk.kid as string, await importOrFail(publicJwk, index));
    publicJwks.push(publicJwk);
  }
  const [first] = jwks as [JWK, ...JWK[]];
  // WebCrypto's import also refuses a private part that does not belong to its public part.
  const signingKey = await importOrFail({ ...first, alg: SIGNING_ALGORITHM }, 0);
  return { signer: { kid: first.kid as string, key: signingKey }, verifiers, jwks: JSON.stringify({ keys: publicJwks }) };
}

/** WebCrypto's own JWK import: jose's `importJWK` handles every key type and would ship them all. */
async function importOrFail(jwk: JWK, index: number): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey("jwk", jwk as JsonWebKey, { name: "ECDSA", namedCurve: "P-256" }, false, [jwk.d ? "sign" : "verify"]);
  } catch {
    throw new ConfigError("JWT_SIGNING_KEYS", `key ${index} is not a valid P-256 key`);
  }
}

function parseSigningKeys(secret: string): JWK[] {
  const fail = (problem: string): never => {
    throw new ConfigError("JWT_SIGNING_KEYS", problem);
  };
  const keys = jsonArray(secret);
  if (!keys) return fail("must be a non-empty JSON array of private JWKs");
  const kids = new Set<string>();
  for (const [index, key] of keys.entries()) {
    const jwk = key as Partial<Record<string, unknown>>;
    const isP256 = jwk?.kty === "EC" && jwk.crv === "P-256";
    const complete = ["x", "y", "d", "kid"].every((field) => typeof jwk?.[field] === "string" && jwk[field] !== "");
    if (!isP256 || !complete) fail(`key ${index} must be a private P-256 EC JWK with a kid (ES256)`);
    if (kids.has(jwk.kid as string)) fail(`key ${index} repeats kid ${String(jwk.kid)}`);
    kids.add(jwk.kid as string);
  }
  return keys as JWK[];
}
