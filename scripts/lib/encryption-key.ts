import { encodeBase64Url } from "../../src/encoding/base64.ts";

/** A fresh AES-256 key with a random `kid`, as `MFA_ENCRYPTION_KEYS` holds them. */
export function generateEncryptionKey(): { kid: string; k: string } {
  const date = new Date().toISOString().slice(0, 10);
  return { kid: `mfa-${date}-${crypto.randomUUID().slice(0, 8)}`, k: encodeBase64Url(crypto.getRandomValues(new Uint8Array(32))) };
}
