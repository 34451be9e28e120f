import type { EncryptionKey } from "../config/config.ts";
import { decodeBase64Url, encodeBase64Url } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";

/**
 * A fresh random 96-bit nonce per encryption, the size GCM is defined for
 * (NIST SP 800-38D §8.2.2 allows 2^32 of them per key, far more secrets than
 * one deployment ever seals).
 */
const IV_BYTES = 12;

/**
 * Secrets at rest, sealed with AES-256-GCM under `MFA_ENCRYPTION_KEYS`:
 * `<kid>.<iv>.<ciphertext and tag>` (base64url). The kid travels with the
 * ciphertext, so keys rotate the way signing keys do: the first seals, every
 * listed key opens. `context` is bound in as additional data (the admin's id),
 * so a sealed value copied onto another row does not open there.
 */
export interface SecretBox {
  seal(plaintext: Uint8Array, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<Uint8Array>;
  /** Whether the key that sealed it is the one that seals now: if not, seal it again once it is open. */
  sealedByCurrentKey(sealed: string): boolean;
}

const boxes = new WeakMap<readonly EncryptionKey[], SecretBox>();

/** One box per parsed configuration, so each isolate imports the keys once, on first use. */
export function secretBox(keys: readonly EncryptionKey[]): SecretBox {
  let box = boxes.get(keys);
  if (!box) {
    box = createSecretBox(keys);
    boxes.set(keys, box);
  }
  return box;
}

const encoder = new TextEncoder();

function createSecretBox(keys: readonly EncryptionKey[]): SecretBox {
  let imported: Promise<Map<string, CryptoKey>> | undefined;
  const cryptoKeys = () => {
    imported ??= Promise.all(
      keys.map(async ({ kid, key }) => [kid, await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"])] as const),
    ).then((entries) => new Map(entries));
    return imported;
  };
  const sealingKid = (keys[0] as EncryptionKey).kid;

  return {
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const key = (await cryptoKeys()).get(sealingKid) as CryptoKey;
      const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, plaintext);
      return [sealingKid, encodeBase64Url(iv), encodeBase64Url(new Uint8Array(ciphertext))].join(".");
    },
    sealedByCurrentKey: (sealed) => sealed.startsWith(`${sealingKid}.`),
    async open(sealed, context) {
      const [kid = "", iv, ciphertext] = sealed.split(".");
      const key = (await cryptoKeys()).get(kid);
      // Fail closed: without its key a secret cannot be checked, and a login must never skip the check.
      if (!key) throw unreadable(`sealed under kid ${JSON.stringify(kid)}, which MFA_ENCRYPTION_KEYS no longer holds`);
      const ivBytes = decodeBase64Url(iv ?? "");
      const ciphertextBytes = decodeBase64Url(ciphertext ?? "");
      if (ivBytes?.length !== IV_BYTES || !ciphertextBytes) throw unreadable(`is not a sealed value (kid ${JSON.stringify(kid)})`);
      try {
        const additionalData = encoder.encode(context);
        return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: ivBytes, additionalData }, key, ciphertextBytes));
      } catch (cause) {
        throw unreadable(`does not open under kid ${JSON.stringify(kid)}: another key under that kid, or altered data`, cause);
      }
    },
  };
}

function unreadable(problem: string, cause?: unknown): ApiError {
  return new ApiError("mfa_secret_unreadable", { cause: new Error(`A sealed MFA secret ${problem}`, { cause }) });
}
