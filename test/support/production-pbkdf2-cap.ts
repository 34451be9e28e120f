export const PRODUCTION_PBKDF2_LIMIT = 100_000;

const derivations: number[] = [];

/**
 * Cloudflare's production runtime rejects PBKDF2 above 100,000 iterations;
 * local workerd computes any count. Wrapping `deriveBits` makes the local
 * runtime fail the way production does, and records each derivation's count.
 */
export function installProductionPbkdf2Cap(): void {
  const subtle = crypto.subtle;
  const deriveBits = subtle.deriveBits;
  if ((deriveBits as { capped?: boolean }).capped) return;
  const capped = function (this: SubtleCrypto, algorithm, baseKey, length) {
    const { name, iterations } = algorithm as { name: string; iterations: number };
    if (name === "PBKDF2") {
      if (iterations > PRODUCTION_PBKDF2_LIMIT) {
        return Promise.reject(
          new DOMException(
            `Pbkdf2 failed: iteration counts above ${PRODUCTION_PBKDF2_LIMIT} are not supported (requested ${iterations}).`,
            "NotSupportedError",
          ),
        );
      }
      derivations.push(iterations);
    }
    return deriveBits.call(this, algorithm, baseKey, length);
  } as SubtleCrypto["deriveBits"] & { capped?: boolean };
  capped.capped = true;
  subtle.deriveBits = capped;
}

/** PBKDF2 derivations since the last call, by iteration count. */
export function takePbkdf2Derivations(): number[] {
  return derivations.splice(0);
}
