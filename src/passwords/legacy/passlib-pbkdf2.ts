import { type Pbkdf2Hash, pbkdf2Hash } from "../phc.ts";

/**
 * passlib's `pbkdf2_sha256` (the hash of FastAPI's security tutorial and of
 * most FastAPI services): `$pbkdf2-sha256$<rounds>$<salt>$<key>`, where salt
 * and key are passlib's "adapted base64" (standard base64 with `.` for `+`,
 * unpadded). The derivation is ours, so only the encoding differs.
 */
const PASSLIB_PBKDF2 = /^\$pbkdf2-sha256\$([1-9][0-9]{0,9})\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)$/;

export function parsePasslibPbkdf2(text: string): Pbkdf2Hash | null {
  const match = PASSLIB_PBKDF2.exec(text);
  return match && pbkdf2Hash(match.map((part) => part?.replaceAll(".", "+")));
}
