/** Standard base64 without padding (the PHC string format's alphabet). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "");
}

/** Decodes standard base64, padded or not; null when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.padEnd(Math.ceil(text.length / 4) * 4, "=")), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

/** Decodes base64url (RFC 4648 §5), padded or not; null when the text is not base64url. */
export function decodeBase64Url(text: string): Uint8Array | null {
  return /[+/]/.test(text) ? null : decodeBase64(text.replaceAll("-", "+").replaceAll("_", "/"));
}

export function randomId(byteLength = 16): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(byteLength)));
}
