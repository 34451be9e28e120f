import { timingSafeEqual } from "../crypto/timing-safe-equal.ts";
import { verifyBcrypt } from "./legacy/bcrypt.ts";
import { deriveKey } from "./pbkdf2.ts";
import { KEY_BYTES, SALT_BYTES } from "./phc.ts";
import { type HashProblem, readStoredHash } from "./stored-hash.ts";

export interface PasswordCheck {
  valid: boolean;
  /** The hash is weaker than the current policy: store a fresh one now that the password is known. */
  needsRehash: boolean;
  /** Why the stored hash could not be checked at all: the operator's to fix, the caller's to log. */
  unusable?: HashProblem;
}

/**
 * A fixed salt and key: deriving against them costs what a real verification
 * costs, so an unknown email takes as long as a wrong password.
 */
const DUMMY_SALT = new Uint8Array(SALT_BYTES);
const DUMMY_KEY = new Uint8Array(KEY_BYTES);

/**
 * Replays the stored iteration count, so raising the policy never locks anyone
 * out. An imported hash (passlib, bcrypt) verifies in its own scheme and asks
 * for a re-hash, so it is gone after the admin's first login. A hash of the
 * wrong shape fails closed, exactly as a wrong password does.
 */
export async function verifyPassword(password: string, storedHash: string, policyIterations: number): Promise<PasswordCheck> {
  const reading = readStoredHash(storedHash);
  if (!reading.usable) {
    await burnPasswordCheck(password, policyIterations);
    return { valid: false, needsRehash: false, unusable: reading.problem };
  }
  const { stored } = reading;
  if (stored.scheme === "bcrypt") {
    const valid = verifyBcrypt(password, stored.hash);
    // A low bcrypt cost checks faster than an unknown email's dummy derivation.
    if (!valid) await burnPasswordCheck(password, policyIterations);
    return { valid, needsRehash: valid };
  }
  const { iterations, salt, key } = stored.hash;
  const derived = await deriveKey(password, salt, iterations, KEY_BYTES);
  const valid = timingSafeEqual(derived, key);
  // A hash older than the policy verifies faster than an unknown email's dummy
  // check: a failure makes up the difference, so timing does not reveal the admin.
  if (!valid && iterations < policyIterations) await burnPasswordCheck(password, policyIterations - iterations);
  return { valid, needsRehash: valid && (stored.legacy || iterations < policyIterations) };
}

/** Does the work of one verification and always fails: for emails that have no admin. */
export async function burnPasswordCheck(password: string, policyIterations: number): Promise<false> {
  const derived = await deriveKey(password, DUMMY_SALT, policyIterations, KEY_BYTES);
  timingSafeEqual(derived, DUMMY_KEY);
  return false;
}
