import { CROCKFORD_BASE32, encodeBase32 } from "../encoding/base32.ts";
import { encodeBase64Url } from "../encoding/base64.ts";

export const RECOVERY_CODE_COUNT = 10;

/**
 * 80 bits each (16 characters of 5 bits): far past brute force even for
 * someone holding the stored hashes, so a plain SHA-256 protects them, and
 * checking one costs no more than a hash.
 */
const RECOVERY_CODE_BYTES = 10;

const NORMALISED_CODE = new RegExp(`^[${CROCKFORD_BASE32}]{16}$`);

/** Ten distinct codes, normalised (see `formatRecoveryCode` for how they are shown). */
export function generateRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(encodeBase32(crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_BYTES)), CROCKFORD_BASE32));
  return [...codes];
}

/** `xxxx-xxxx-xxxx-xxxx`: easier to copy by hand, and read back the same (hyphens are ignored). */
export function formatRecoveryCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, "$1-");
}

/** A recovery code as typed: spaces and hyphens ignored, any case. Null if it cannot be one. */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, "").toLowerCase();
  return NORMALISED_CODE.test(code) ? code : null;
}

/** What D1 keeps of a code, salted with the admin's id so one table of guesses cannot serve every admin. */
export async function hashRecoveryCode(adminId: string, normalisedCode: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${adminId}:${normalisedCode}`));
  return encodeBase64Url(new Uint8Array(digest));
}
