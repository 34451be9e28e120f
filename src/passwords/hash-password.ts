import { deriveKey } from "./pbkdf2.ts";
import { formatPhc, KEY_BYTES, SALT_BYTES } from "./phc.ts";

export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await deriveKey(password, salt, iterations, KEY_BYTES);
  return formatPhc({ iterations, salt, key });
}
