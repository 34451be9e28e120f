import { timingSafeEqual } from "../crypto/timing-safe-equal.ts";

/**
 * RFC 6238 with the parameters every authenticator app assumes: HMAC-SHA1,
 * 6 digits, 30-second steps. The otpauth:// URI spells them out anyway.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** 160 bits, the length RFC 4226 §4 recommends for the shared secret (R6). */
export const TOTP_SECRET_BYTES = 20;

/**
 * A code of the previous or next step is accepted too (RFC 6238 §5.2: at most
 * one step of drift is the recommended allowance for clocks and slow typing).
 */
const ACCEPTED_DRIFT_STEPS = 1;

const encoder = new TextEncoder();

export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

export function importTotpKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** HOTP (RFC 4226 §5.3): HMAC of the 8-byte big-endian counter, dynamically truncated to `digits` decimal digits. */
export async function hotp(key: CryptoKey, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new DataView(await crypto.subtle.sign("HMAC", key, message));
  const offset = mac.getUint8(mac.byteLength - 1) & 0x0f;
  const truncated = mac.getUint32(offset) & 0x7fffffff;
  return String(truncated % 10 ** digits).padStart(digits, "0");
}

/**
 * The TOTP steps an admin had accepted lately: the highest, and a bit for
 * each of the two before it (bit 0: one step earlier, bit 1: two). Only steps
 * from one before now to one after are accepted, so no step older than these
 * three can be presented again: they are all that needs remembering.
 */
export interface AcceptedSteps {
  last: number | null;
  earlier: number;
}

export function stepAccepted(step: number, accepted: AcceptedSteps): boolean {
  if (accepted.last === null || step > accepted.last) return false;
  const behind = accepted.last - step;
  return behind === 0 || behind > 2 || ((accepted.earlier >> (behind - 1)) & 1) === 1;
}

/**
 * The time step whose code `code` is, among those accepted now and not
 * accepted before (each step once: RFC 6238 §5.2), or null. Every candidate
 * is computed and compared in full, so the time taken says nothing about
 * which one matched.
 */
export async function matchTotp(key: CryptoKey, code: string, nowMs: number, accepted: AcceptedSteps): Promise<number | null> {
  const current = totpStep(nowMs);
  const steps: number[] = [];
  for (let step = current - ACCEPTED_DRIFT_STEPS; step <= current + ACCEPTED_DRIFT_STEPS; step++) steps.push(step);
  const codes = await Promise.all(steps.map((step) => hotp(key, step)));
  const presented = encoder.encode(code);
  let matched: number | null = null;
  for (const [index, candidate] of codes.entries()) {
    const step = steps[index] as number;
    if (timingSafeEqual(encoder.encode(candidate), presented) && !stepAccepted(step, accepted)) matched ??= step;
  }
  return matched;
}
