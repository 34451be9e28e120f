import { PBKDF2_MAX_ITERATIONS } from "../config/config.ts";
import { type BcryptHash, parseBcrypt } from "./legacy/bcrypt.ts";
import { parsePasslibPbkdf2 } from "./legacy/passlib-pbkdf2.ts";
import { KEY_BYTES, MAX_SALT_BYTES, type Pbkdf2Hash, parsePhc } from "./phc.ts";

/**
 * A password hash as stored in `admins.password_hash`: our PHC string, or a
 * format imported from the FastAPI service. `legacy` hashes are replaced by
 * a PHC string on the admin's next successful login.
 */
export type StoredHash = { scheme: "pbkdf2"; hash: Pbkdf2Hash; legacy: boolean } | { scheme: "bcrypt"; hash: BcryptHash; legacy: true };

export type StoredHashReading = { usable: true; stored: StoredHash } | { usable: false; problem: string };

/**
 * A stored hash, or what is wrong with it. Only the exact shapes the libraries
 * write are usable: a digest of another length would be compared over that
 * length (a one-byte digest matches one password in 256) or cost far more to
 * derive than any real check; a salt past passlib's bounds likewise. And
 * Cloudflare's runtime must be able to check it within its limits.
 */
export function readStoredHash(text: string): StoredHashReading {
  const stored = parseStoredHash(text);
  if (!stored) return { usable: false, problem: unparsedProblem(text) };
  if (stored.scheme === "bcrypt") {
    if (stored.hash.cost > BCRYPT_MAX_COST) {
      return { usable: false, problem: `bcrypt cost ${stored.hash.cost} is above ${BCRYPT_MAX_COST}: too slow to check within a Worker's CPU limit` };
    }
    return { usable: true, stored };
  }
  const { iterations, salt, key } = stored.hash;
  if (key.length !== KEY_BYTES) {
    return { usable: false, problem: `password_hash has a PBKDF2-SHA256 digest of ${key.length} byte(s): passlib and this service make ${KEY_BYTES}` };
  }
  if (salt.length < 1 || salt.length > MAX_SALT_BYTES) {
    return { usable: false, problem: `password_hash has a salt of ${salt.length} byte(s): passlib allows 1 to ${MAX_SALT_BYTES}` };
  }
  if (iterations > PBKDF2_MAX_ITERATIONS) {
    return { usable: false, problem: `PBKDF2 rounds ${iterations} are above the ${PBKDF2_MAX_ITERATIONS} Cloudflare's runtime allows` };
  }
  return { usable: true, stored };
}

function unparsedProblem(text: string): string {
  if (text.startsWith("$2x$")) return "password_hash is a $2x$ bcrypt hash (crypt_blowfish's sign-extension bug), which no current library writes";
  if (/^\$2[aby]?\$/.test(text)) return "password_hash is not a bcrypt hash's exact 60-character form ($2b$, two cost digits, $, 53 characters)";
  return "password_hash is not a PBKDF2-SHA256 (ours or passlib's) or bcrypt hash";
}

function parseStoredHash(text: string): StoredHash | null {
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
