/**
 * Blowfish's initial P-array and S-boxes are the first 1042 32-bit words of
 * the fractional part of pi (Schneier, "Description of a New Variable-Length
 * Key, 64-Bit Block Cipher", 1993). Shipping them as a table would cost the
 * bundle 4 KiB of incompressible digits for a code path that only runs until
 * every imported bcrypt hash has been replaced, so they are computed, once per
 * isolate, when the first bcrypt hash is checked (about 50 ms).
 */
const WORDS = 18 + 4 * 256;

/** Extra low bits, so the rounding of every series term stays below the digits used. */
const GUARD_BITS = 64n;

let digits: Uint32Array | undefined;

export function blowfishPi(): Uint32Array {
  digits ??= computePiWords(WORDS);
  return digits;
}

function computePiWords(words: number): Uint32Array {
  const bits = BigInt(words * 32) + GUARD_BITS;
  // Machin: pi = 16 atan(1/5) - 4 atan(1/239), in fixed point with `bits` fraction bits.
  const pi = 16n * arctanOfInverse(5n, bits) - 4n * arctanOfInverse(239n, bits);
  const hex = ((pi - (3n << bits)) >> GUARD_BITS).toString(16).padStart(words * 8, "0");
  return Uint32Array.from({ length: words }, (_, i) => Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16));
}

/** atan(1/x) = 1/x - 1/(3x^3) + 1/(5x^5) - ... */
function arctanOfInverse(x: bigint, bits: bigint): bigint {
  const xSquared = x * x;
  let power = (1n << bits) / x;
  let sum = power;
  for (let divisor = 3n, subtract = true; power > 0n; divisor += 2n, subtract = !subtract) {
    power /= xSquared;
    sum += subtract ? -(power / divisor) : power / divisor;
  }
  return sum;
}
