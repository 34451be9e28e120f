import type { JWK } from "jose";
import { ConfigError, jsonArray } from "../config/config.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import { TOKEN_TYPES, type TokenKind } from "./token-types.ts";

export const SIGNING_ALGORITHM = "ES256";

/**
 * The protected header of every token this service signs, members in the
 * order they are written. Verification accepts these bytes and no others, so
 * changing them refuses every token already out, refresh tokens included: a
 * change ships as a release that verifies both, then one that signs the new.
 */
export function protectedHeader(kid: string, kind: TokenKind) {
  return { alg: SIGNING_ALGORITHM, kid, typ: TOKEN_TYPES[kind] };
}

export interface Keyring {
  signer: { kid: string; key: CryptoKey };
  /**
   * Per kind of token, each configured key under the encoded protected header
   * this service writes with it, as jose encodes it (base64url of
   * `JSON.stringify`): verification looks a token's first segment up here.
   * Every configured key verifies, so tokens signed before a rotation stay valid.
   */
  verifiers: Readonly<Record<TokenKind, ReadonlyMap<string, CryptoKey>>>;
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
  const verifiers = { access: new Map<string, CryptoKey>(), refresh: new Map<string, CryptoKey>() } satisfies Keyring["verifiers"];
  const publicJwks: JWK[] = [];
  for (const [index, jwk] of jwks.entries()) {
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: SIGNING_ALGORITHM, use: "sig" };
    const key = await importOrFail(publicJwk, index);
    for (const kind of Object.keys(verifiers) as TokenKind[]) verifiers[kind].set(encodedHeader(jwk.kid as string, kind), key);
    publicJwks.push(publicJwk);
  }
  const [first] = jwks as [JWK, ...JWK[]];
  // WebCrypto's import also refuses a private part that does not belong to its public part.
  const signingKey = await importOrFail({ ...first, alg: SIGNING_ALGORITHM }, 0);
  return { signer: { kid: first.kid as string, key: signingKey }, verifiers, jwks: JSON.stringify({ keys: publicJwks }) };
}

const encoder = new TextEncoder();

function encodedHeader(kid: string, kind: TokenKind): string {
  return encodeBase64Url(encoder.encode(JSON.stringify(protectedHeader(kid, kind))));
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
