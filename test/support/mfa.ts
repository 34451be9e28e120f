import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { decodeBase32 } from "../../src/encoding/base32.ts";
import { hotp, importTotpKey, TOTP_PERIOD_SECONDS, totpStep } from "../../src/mfa/totp.ts";
import { bearer, call, loginAs, PREFIX, postJson, type TestAdmin } from "./worker.ts";

export { decodeBase32 };

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

/** Half way through a TOTP step, so a test's codes never straddle a step boundary. */
export const MID_STEP = Date.UTC(2026, 10, 30, 12, 0, 15);

/**
 * A frozen clock for the tests and the worker alike (they share the isolate):
 * TOTP steps pass only when a test says so.
 */
export function freezeClock(): void {
  vi.useFakeTimers({ toFake: ["Date"], now: MID_STEP });
}

/** Moves the frozen clock on by whole TOTP steps. */
export function advanceSteps(steps: number): void {
  vi.setSystemTime(Date.now() + steps * TOTP_PERIOD_SECONDS * 1000);
}

/** Consecutive failures counted against an email. */
export async function failuresOf(email: string): Promise<number> {
  const row = await env.DB.prepare("SELECT failures FROM login_throttle WHERE email = ?").bind(email.toLowerCase()).first<{ failures: number }>();
  return row?.failures ?? 0;
}

/** An admin's audit trail, oldest first, as `event` or `event:reason`. */
export async function auditTrail(adminId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT event, reason FROM audit_events WHERE admin_id = ? ORDER BY id")
    .bind(adminId)
    .all<{ event: string; reason: string | null }>();
  return results.map((row) => (row.reason ? `${row.event}:${row.reason}` : row.event));
}
