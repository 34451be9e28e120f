/** A fresh ES256 private JWK with a random `kid`, as `JWT_SIGNING_KEYS` holds them. */
export async function generateSigningJwk(): Promise<JsonWebKey & { kid: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const { kty, crv, x, y, d } = jwk as JsonWebKey;
  const date = new Date().toISOString().slice(0, 10);
  const kid = `${date}-${crypto.randomUUID().slice(0, 8)}`;
  return { kty, crv, x, y, d, kid };
}
