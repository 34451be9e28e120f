/** RFC 4648 §6: the alphabet authenticator apps read TOTP secrets in (Key Uri Format). */
export const RFC4648_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Crockford's, lower-cased: no i, l, o or u, so a code copied by hand is not misread. */
export const CROCKFORD_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";

/** Five bits per character, most significant first, without padding. */
export function encodeBase32(bytes: Uint8Array, alphabet = RFC4648_BASE32): string {
  let text = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) text += alphabet[(buffer << (5 - bits)) & 31];
  return text;
}

/** RFC 4648 base32 (no padding needed), as an authenticator app reads the secret of an otpauth:// URI. */
export function decodeBase32(text: string): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.replace(/=+$/, "")) {
    const value = RFC4648_BASE32.indexOf(char.toUpperCase());
    if (value < 0) throw new Error(`not base32: ${char}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}
