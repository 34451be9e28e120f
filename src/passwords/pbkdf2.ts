import { PBKDF2_MAX_ITERATIONS } from "../config/config.ts";

const encoder = new TextEncoder();

/**
 * PBKDF2-HMAC-SHA256 through WebCrypto. The cap is checked here too, not only in
 * the configuration: a stored hash with more iterations (an import, a tampered
 * row) must fail as a wrong password, not as an exception from the runtime.
 */
export async function deriveKey(password: string, salt: Uint8Array, iterations: number, byteLength: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be between 1 and ${PBKDF2_MAX_ITERATIONS}`);
  }
  const material = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, byteLength * 8);
  return new Uint8Array(bits);
}
