import { timingSafeEqual } from "../../crypto/timing-safe-equal.ts";
import { blowfishPi } from "./blowfish-pi.ts";

/**
 * bcrypt (Provos and Mazières, "A Future-Adaptable Password Scheme", USENIX
 * 1999), as OpenBSD's `$2b$`, for hashes imported from a FastAPI service
 * (passlib or pyca/bcrypt). Only verification: a verified password is re-hashed
 * with PBKDF2 in the same login, so bcrypt never writes a hash.
 */
export interface BcryptHash {
  cost: number;
  salt: Uint8Array;
  /** The first 23 bytes of the 24-byte ciphertext: the modular crypt format drops the last. */
  digest: Uint8Array;
}

/**
 * `$2a$` and `$2y$` hash like `$2b$` for every password under 256 bytes, and
 * bcrypt only reads 72. `$2x$` (crypt_blowfish's sign-extension bug) is not accepted.
 */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

/** bcrypt's own base64 alphabet, in its own order, without padding. */
const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

const MAX_KEY_BYTES = 72;
const SALT_BYTES = 16;
const DIGEST_BYTES = 23;
const MAGIC = "OrpheanBeholderScryDoubt";

export function parseBcrypt(text: string): BcryptHash | null {
  const match = BCRYPT.exec(text);
  if (!match) return null;
  const [, cost = "", salt = "", digest = ""] = match;
  return { cost: Number(cost), salt: decodeBcryptBase64(salt, SALT_BYTES), digest: decodeBcryptBase64(digest, DIGEST_BYTES) };
}

export function verifyBcrypt(password: string, stored: BcryptHash): boolean {
  return timingSafeEqual(bcryptDigest(password, stored.salt, stored.cost), stored.digest);
}

function bcryptDigest(password: string, salt: Uint8Array, cost: number): Uint8Array {
  // The key is the UTF-8 password with its C string terminator, cut at 72 bytes.
  const encoded = new TextEncoder().encode(password);
  const key = new Uint8Array(Math.min(encoded.length, MAX_KEY_BYTES) + 1);
  key.set(encoded.subarray(0, MAX_KEY_BYTES));
  const cipher = new Blowfish(blowfishPi());
  cipher.expandKey(key, salt);
  for (let round = 2 ** cost; round > 0; round--) {
    cipher.expandKey(key);
    cipher.expandKey(salt);
  }
  const magic = new TextEncoder().encode(MAGIC);
  const blocks = Uint32Array.from({ length: magic.length / 4 }, (_, i) => readWord(magic, i * 4));
  for (let i = 0; i < 64; i++) {
    for (let block = 0; block < blocks.length; block += 2) cipher.encrypt(blocks, block);
  }
  const digest = new Uint8Array(magic.length);
  const view = new DataView(digest.buffer);
  for (const [i, word] of blocks.entries()) view.setUint32(i * 4, word);
  return digest.subarray(0, DIGEST_BYTES);
}

/** Blowfish with the Eksblowfish key schedule; P-array and S-boxes in one array, P first. */
class Blowfish {
  private readonly state: Uint32Array;

  constructor(initial: Uint32Array) {
    this.state = initial.slice();
  }

  /** XORs the key into the P-array, then re-encrypts the whole state, mixing in `salt` when given. */
  expandKey(key: Uint8Array, salt?: Uint8Array): void {
    const state = this.state;
    for (let i = 0, offset = 0; i < 18; i++, offset += 4) state[i] = (state[i] ?? 0) ^ readWord(key, offset);
    const block = new Uint32Array(2);
    for (let i = 0, offset = 0; i < state.length; i += 2, offset += 8) {
      if (salt) {
        block[0] = (block[0] ?? 0) ^ readWord(salt, offset);
        block[1] = (block[1] ?? 0) ^ readWord(salt, offset + 4);
      }
      this.encrypt(block, 0);
      state[i] = block[0] ?? 0;
      state[i + 1] = block[1] ?? 0;
    }
  }

  /** Encrypts the 64-bit block at `data[at]`, `data[at + 1]` in place. */
  encrypt(data: Uint32Array, at: number): void {
    const s = this.state;
    let left = (data[at] ?? 0) ^ (s[0] ?? 0);
    let right = data[at + 1] ?? 0;
    for (let i = 1; i <= 16; i += 2) {
      right ^= round(s, left) ^ (s[i] ?? 0);
      left ^= round(s, right) ^ (s[i + 1] ?? 0);
    }
    data[at] = right ^ (s[17] ?? 0);
    data[at + 1] = left;
  }
}

/** Blowfish's F: the four S-boxes start at 18, 274, 530 and 786. */
function round(s: Uint32Array, x: number): number {
  return ((((s[18 + (x >>> 24)] ?? 0) + (s[274 + ((x >>> 16) & 0xff)] ?? 0)) ^ (s[530 + ((x >>> 8) & 0xff)] ?? 0)) + (s[786 + (x & 0xff)] ?? 0)) | 0;
}

/** Four bytes, big-endian, wrapping around: bcrypt cycles the key and the salt. */
function readWord(bytes: Uint8Array, offset: number): number {
  let word = 0;
  for (let i = 0; i < 4; i++) word = (word << 8) | (bytes[(offset + i) % bytes.length] ?? 0);
  return word;
}

function decodeBcryptBase64(text: string, byteLength: number): Uint8Array {
  const bytes = new Uint8Array(byteLength);
  let buffer = 0;
  let bufferedBits = 0;
  let written = 0;
  for (const char of text) {
    buffer = (buffer << 6) | ALPHABET.indexOf(char);
    bufferedBits += 6;
    if (bufferedBits >= 8 && written < byteLength) {
      bufferedBits -= 8;
      bytes[written++] = (buffer >>> bufferedBits) & 0xff;
    }
  }
  return bytes;
}
