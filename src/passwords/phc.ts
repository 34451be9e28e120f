import { decodeBase64, encodeBase64 } from "../encoding/base64.ts";

export const SALT_BYTES = 16;
/** What PBKDF2-HMAC-SHA256 hashes carry, ours and passlib's: one SHA-256 block. */
export const KEY_BYTES = 32;
/** passlib's `pbkdf2_sha256` bounds (`max_salt_size`); ours are always `SALT_BYTES`. */
export const MAX_SALT_BYTES = 1024;

export interface Pbkdf2Hash {
  iterations: number;
  salt: Uint8Array;
  key: Uint8Array;
}

/** `$pbkdf2-sha256$i=<iterations>$<salt>$<key>`, standard base64 without padding. */
export function formatPhc({ iterations, salt, key }: Pbkdf2Hash): string {
  return `$pbkdf2-sha256$i=${iterations}$${encodeBase64(salt)}$${encodeBase64(key)}`;
}

export function parsePhc(text: string): Pbkdf2Hash | null {
  const match = /^\$pbkdf2-sha256\$i=([1-9][0-9]{0,9})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(text);
  return match && pbkdf2Hash(match);
}

/**
 * A PBKDF2-SHA256 hash from its matched iteration count, salt and key, the
 * latter two in standard base64 (`match` 1 to 3); null if they do not decode.
 * Their lengths are checked by `readStoredHash`, which can say what is wrong.
 */
export function pbkdf2Hash([, iterations = "", salt = "", key = ""]: readonly (string | undefined)[]): Pbkdf2Hash | null {
  const saltBytes = decodeBase64(salt);
  const keyBytes = decodeBase64(key);
  if (!saltBytes || !keyBytes || keyBytes.length === 0) return null;
  return { iterations: Number(iterations), salt: saltBytes, key: keyBytes };
}
