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

/**
 * What is wrong with a stored hash, as data: the worker logs it, and only the
 * importer (which runs on the operator's machine) spells it out in words.
 */
export type HashProblem =
  | { kind: "unknown_scheme" }
  | { kind: "bcrypt_2x" }
  | { kind: "bcrypt_shape" }
  | { kind: "bcrypt_cost"; cost: number }
  | { kind: "digest_length"; bytes: number }
  | { kind: "salt_length"; bytes: number }
  | { kind: "rounds"; rounds: number };

export type StoredHashReading = { usable: true; stored: StoredHash } | { usable: false; problem: HashProblem };

/**
 * A stored hash, or what is wrong with it. Only the exact shapes the libraries
 * write are usable: a digest of another length would be compared over that
 * length (a one-byte digest matches one password in 256) or cost far more to
 * derive than any real check; a salt past passlib's bounds likewise. And
 * Cloudflare's runtime must be able to check it within its limits.
 */
export function readStoredHash(text: string): StoredHashReading {
  const unusable = (problem: HashProblem): StoredHashReading => ({ usable: false, problem });
  const stored = parseStoredHash(text);
  if (!stored) return unusable({ kind: text.startsWith("$2x$") ? "bcrypt_2x" : /^\$2[aby]?\$/.test(text) ? "bcrypt_shape" : "unknown_scheme" });
  if (stored.scheme === "bcrypt")
    return stored.hash.cost > BCRYPT_MAX_COST ? unusable({ kind: "bcrypt_cost", cost: stored.hash.cost }) : { usable: true, stored };
  const { iterations, salt, key } = stored.hash;
  if (key.length !== KEY_BYTES) return unusable({ kind: "digest_length", bytes: key.length });
  if (salt.length < 1 || salt.length > MAX_SALT_BYTES) return unusable({ kind: "salt_length", bytes: salt.length });
  if (iterations > PBKDF2_MAX_ITERATIONS) return unusable({ kind: "rounds", rounds: iterations });
  return { usable: true, stored };
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
