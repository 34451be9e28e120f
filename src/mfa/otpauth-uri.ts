import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from "./totp.ts";

/**
 * The Key Uri Format that authenticator apps scan from a QR code: the label is
 * `issuer:account`, and the issuer is repeated as a parameter (apps that read
 * either find it). The parameters say what every app assumes anyway.
 */
export function otpauthUri(issuer: string, account: string, base32Secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
}
