import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import { encodeBase32 } from "../src/encoding/base32.ts";
import { decodeBase64Url, encodeBase64 } from "../src/encoding/base64.ts";
import worker from "../src/index.ts";
import { generateRecoveryCodes, hashRecoveryCode } from "../src/mfa/recovery-codes.ts";
import { totpSecretContext } from "../src/mfa/second-factor.ts";
import { secretBox } from "../src/mfa/secret-box.ts";
import { advanceSteps, decodeBase32, enrol, freezeClock, totpCode } from "./support/mfa.ts";
import { BASE_URL, bearer, call, createAdmin, loginAs, PREFIX, postJson, type TestAdmin } from "./support/worker.ts";

let logs: string[] = [];

beforeEach(() => {
  freezeClock();
  logs = [];
  for (const method of ["log", "error", "warn", "info"] as const) {
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => logs.push(parts.map(String).join(" ")));
  }
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function loginWith(admin: TestAdmin, mfaCode?: string): Promise<Response> {
  return postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password, ...(mfaCode === undefined ? {} : { mfa_code: mfaCode }) });
}

/** Every row of every table, and every KV key with its value. */
async function everythingStored(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
  ).all<{ name: string }>();
  const rows = await Promise.all(tables.map(async ({ name }) => (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results));
  const { keys } = await env.REVOCATIONS.list();
  const kv = await Promise.all(keys.map(async ({ name }) => [name, await env.REVOCATIONS.get(name)]));
  return JSON.stringify({ rows, kv });
}

const configuredKeys = () =>
  (JSON.parse(env.MFA_ENCRYPTION_KEYS) as { kid: string; k: string }[]).map(({ kid, k }) => ({ kid, key: decodeBase64Url(k) as Uint8Array }));

async function storeSecret(adminId: string, sealed: string): Promise<void> {
  await env.DB.prepare("UPDATE admins SET totp_secret = ?, totp_last_step = NULL, totp_earlier_steps = 0 WHERE id = ?").bind(sealed, adminId).run();
}

describe("MFA secrets at rest", () => {
  it("leave no secret, TOTP code or recovery code in D1, KV or a log line", async () => {
    const admin = await createAdmin();
    const { secret, recoveryCodes, accessToken } = await enrol(admin);
    const codes: string[] = [await totpCode(secret)];
    advanceSteps(1);
    codes.push(await totpCode(secret));
    expect((await loginWith(admin, codes[1])).status).toBe(200);
    expect((await loginWith(admin, codes[1])).status).toBe(401);
    expect((await loginWith(admin, recoveryCodes[0])).status).toBe(200);
    expect((await loginWith(admin, "0000-0000-0000-0000")).status).toBe(401);
    advanceSteps(1);
    codes.push(await totpCode(secret));
    expect((await postJson(`${PREFIX}/mfa/totp/disable`, { code: recoveryCodes[1] }, bearer(accessToken))).status).toBe(200);
    const { access_token: otherAccessToken } = await loginAs(await createAdmin());
    const setup = await call(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(otherAccessToken) });
    const { secret: pending } = await setup.json<{ secret: string }>();

    const stored = await everythingStored();
    const logged = logs.join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const base32 of [secret, pending]) {
      const raw = decodeBase32(base32);
      for (const form of [base32, base32.toLowerCase(), encodeBase64(raw), [...raw].map((byte) => byte.toString(16).padStart(2, "0")).join("")]) {
        expect(stored).not.toContain(form);
        expect(logged).not.toContain(form);
      }
    }
    for (const code of recoveryCodes) {
      for (const form of [code, code.replaceAll("-", ""), code.toUpperCase()]) {
        expect(stored).not.toContain(form);
        expect(logged).not.toContain(form);
      }
    }
    for (const code of codes) {
      expect(stored).not.toMatch(new RegExp(`\\b${code}\\b`));
      expect(logged).not.toMatch(new RegExp(`\\b${code}\\b`));
    }
  });

  it("open under a key that only decrypts now, and are sealed again under the current key at their next code login", async () => {
    const admin = await createAdmin();
    const [current, retiring] = configuredKeys();
    const secret = crypto.getRandomValues(new Uint8Array(20));
    await storeSecret(admin.id, await secretBox([retiring as { kid: string; key: Uint8Array }]).seal(secret, totpSecretContext(admin.id)));
    const base32 = encodeBase32(secret);
    expect((await loginWith(admin, await totpCode(base32))).status).toBe(200);
    const row = await env.DB.prepare("SELECT totp_secret FROM admins WHERE id = ?").bind(admin.id).first<{ totp_secret: string }>();
    expect(row?.totp_secret.startsWith(`${current?.kid}.`)).toBe(true);
    advanceSteps(1);
    expect((await loginWith(admin, await totpCode(base32))).status).toBe(200);
  });

  it("fail closed under a key id MFA_ENCRYPTION_KEYS no longer holds: a logged 500, never a login without the factor", async () => {
    const admin = await createAdmin();
    const lost = { kid: "removed-too-early", key: crypto.getRandomValues(new Uint8Array(32)) };
    const secret = crypto.getRandomValues(new Uint8Array(20));
    await storeSecret(admin.id, await secretBox([lost]).seal(secret, totpSecretContext(admin.id)));
    const base32 = encodeBase32(secret);

    expect(await (await loginWith(admin)).text()).toBe('{"detail":"MFA code required"}');
    for (let i = 0; i < 6; i++) {
      const response = await loginWith(admin, await totpCode(base32));
      expect([response.status, await response.text()]).toEqual([500, '{"detail":"Internal Server Error"}']);
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE admin_id = ?").bind(admin.id).first())?.n).toBe(0);
    // Not a guess: no lockout builds up, and a recovery code, which needs no key, still logs in.
    expect(await env.DB.prepare("SELECT * FROM login_throttle WHERE email = ?").bind(admin.email.toLowerCase()).first()).toBeNull();
    const [recoveryCode = ""] = generateRecoveryCodes();
    await env.DB.prepare("INSERT INTO recovery_codes (admin_id, code_hash, created_at) VALUES (?, ?, 0)")
      .bind(admin.id, await hashRecoveryCode(admin.id, recoveryCode))
      .run();
    expect((await loginWith(admin, recoveryCode)).status).toBe(200);
    const errors = logs.filter((line) => line.includes('"level":"error"'));
    expect(errors.join("\n")).toMatch(/mfa_secret_unreadable.*removed-too-early.*MFA_ENCRYPTION_KEYS/);
    expect(logs.join("\n")).toContain('"outcome":"mfa_secret_unreadable"');
  });

  it("is the admin's own, bound to their id: copied onto another admin, it does not open", async () => {
    const owner = await createAdmin();
    const thief = await createAdmin();
    const { secret } = await enrol(owner);
    const { totp_secret } = (await env.DB.prepare("SELECT totp_secret FROM admins WHERE id = ?").bind(owner.id).first<{ totp_secret: string }>()) ?? {};
    await storeSecret(thief.id, totp_secret ?? "");
    advanceSteps(1);
    expect((await loginWith(thief, await totpCode(secret))).status).toBe(500);
  });
});

describe("MFA configuration", () => {
  async function loginWithEnv(overrides: Partial<Env>): Promise<Response> {
    const request = new Request(`${BASE_URL}${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "198.18.0.1" },
      body: JSON.stringify({ email: "anyone@example.com", password: "whatever" }),
    });
    return worker.fetch(request, { ...env, ...overrides }, createExecutionContext());
  }

  it.each([
    ["missing", undefined, "is missing"],
    ["empty", "", "must not be empty"],
    ["not JSON", "{kid", 'must be a non-empty JSON array of {"kid", "k"} keys'],
    ["an empty array", "[]", "must be a non-empty JSON array"],
    ["a short key", '[{"kid":"a","k":"c2hvcnQ"}]', "key 0 needs k: 32 random bytes in base64url"],
    ["a kid with a dot", `[{"kid":"a.b","k":"${"A".repeat(43)}"}]`, "key 0 needs a kid of 1 to 64 letters"],
    ["a repeated kid", `[{"kid":"a","k":"${"A".repeat(43)}"},{"kid":"a","k":"${"B".repeat(43)}"}]`, "key 1 repeats kid a"],
  ])("MFA_ENCRYPTION_KEYS %s is a 500 with a log line naming it, never the value", async (_name, value, problem) => {
    const response = await loginWithEnv({ MFA_ENCRYPTION_KEYS: value as string });
    expect([response.status, await response.text()]).toEqual([500, '{"detail":"Internal Server Error"}']);
    const messages = logs.map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages.some((message) => message.startsWith(`Invalid configuration: MFA_ENCRYPTION_KEYS ${problem}`))).toBe(true);
    for (const [, key] of (value ?? "").matchAll(/"k":"([^"]+)"/g)) expect(logs.join("\n")).not.toContain(key);
  });

  it("MFA_ISSUER defaults to ScaiKey and refuses a colon, which would split the otpauth:// label", () => {
    const base = { ...env, MFA_ISSUER: undefined } as Record<string, unknown>;
    expect(parseConfig(base).mfaIssuer).toBe("ScaiKey");
    expect(() => parseConfig({ ...base, MFA_ISSUER: "Scai:Key" })).toThrow("Invalid configuration: MFA_ISSUER must not contain a colon");
  });
});
