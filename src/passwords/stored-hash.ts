import { PBKDF2_MAX_ITERATIONS } from "../config/config.ts";
import { type BcryptHash, parseBcrypt } from "./legacy/bcrypt.ts";
import { parsePasslibPbkdf2 } from "./legacy/passlib-pbkdf2.ts";
import { type Pbkdf2Hash, parsePhc } from "./phc.ts";

/**
 * A password hash as stored in `admins.password_hash`: our PHC string, or a
 * format imported from the FastAPI service. `legacy` hashes are replaced by
 * a PHC string on the admin's next successful login.
 */
export type StoredHash = { scheme: "pbkdf2"; hash: Pbkdf2Hash; legacy: boolean } | { scheme: "bcrypt"; hash: BcryptHash; legacy: true };

export function parseStoredHash(text: string): StoredHash | null {
  const phc = parsePhc(text);
  if (phc) return { scheme: "pbkdf2", hash: phc, legacy: false };
  const passlib = parsePasslibPbkdf2(text);
  if (passlib) return { scheme: "pbkdf2", hash: passlib, legacy: true };
  const bcrypt = parseBcrypt(text);
  return bcrypt && { scheme: "bcrypt", hash: bcrypt, legacy: true };
}

/**
 * bcrypt doubles its work with each cost step; 14 is about 1.5 s of a
 * Worker's CPU per login (passlib's default is 12), and more would come close
 * to the CPU a request may spend.
 */
export const BCRYPT_MAX_COST = 14;

/** Whether Cloudflare's production runtime can check this hash within its limits. */
export function verifiableInProduction(stored: StoredHash): boolean {
  return stored.scheme === "bcrypt" ? stored.hash.cost <= BCRYPT_MAX_COST : stored.hash.iterations <= PBKDF2_MAX_ITERATIONS;
}
