import { RFC4648_BASE32 } from "../../src/encoding/base32.ts";
import { hotp, importTotpKey, totpStep } from "../../src/mfa/totp.ts";
import { bearer, call, loginAs, PREFIX, postJson, type TestAdmin } from "./worker.ts";

/** RFC 4648 base32, as an authenticator app reads the secret of an otpauth:// URI. */
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

/** The code an authenticator app shows for `secret` at `at`, `steps` periods later. */
export async function totpCode(secret: string, at = Date.now(), steps = 0): Promise<string> {
  return hotp(await importTotpKey(decodeBase32(secret)), totpStep(at) + steps);
}

export interface Enrolment {
  secret: string;
  recoveryCodes: string[];
  /** The session that enrolled: still logged in, with a password-only `amr`. */
  accessToken: string;
}

/** An admin turns MFA on as the admin panel would: log in, set up, confirm with the app's current code. */
export async function enrol(admin: TestAdmin): Promise<Enrolment> {
  const { access_token: accessToken } = await loginAs(admin);
  const setup = await call(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(accessToken) });
  if (setup.status !== 200) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const { secret } = await setup.json<{ secret: string }>();
  const confirm = await postJson(`${PREFIX}/mfa/totp/confirm`, { code: await totpCode(secret) }, bearer(accessToken));
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${await confirm.text()}`);
  const { recovery_codes: recoveryCodes } = await confirm.json<{ recovery_codes: string[] }>();
  return { secret, recoveryCodes, accessToken };
}
