import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateEncryptionKey } from "../../scripts/lib/encryption-key.ts";
import { generateSigningJwk } from "../../scripts/lib/signing-key.ts";
import { readWranglerConfig } from "../../scripts/lib/wrangler.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import { runNode } from "./processes.ts";
import { ROOT, WRANGLER } from "./wrangler-dev.ts";

export interface BenchAdmin {
  email: string;
  password: string;
}

/** A fresh local value for each secret the worker declares (`secrets.required`), as `npm run dev` makes them. */
const LOCAL_SECRETS: Record<string, () => Promise<unknown>> = {
  JWT_SIGNING_KEYS: async () => [await generateSigningJwk()],
  MFA_ENCRYPTION_KEYS: async () => [generateEncryptionKey()],
};

/**
 * A fresh local value, as JSON, for every secret wrangler.toml requires; a
 * secret the bench cannot make stops it here, naming it: without one the
 * worker answers every request 500.
 */
export async function localSecrets(): Promise<Record<string, string>> {
  const required = readWranglerConfig("wrangler.toml").secrets?.required ?? [];
  const entries = await Promise.all(
    required.map(async (name) => {
      const generate = LOCAL_SECRETS[name];
      if (!generate) throw new Error(`wrangler.toml requires the secret ${name}, which bench/lib/setup.ts does not know how to make a local value for`);
      return [name, JSON.stringify(await generate())] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * The worker's secrets as wrangler reads them: a dotenv file passed with
 * `--env-file`. That keeps the keys out of `ps` (a `--var` would put them in
 * argv) and, because wrangler skips `.dev.vars` when `--env-file` is given,
 * makes the bench independent of whatever a developer keeps in `.dev.vars`.
 * Single quotes: dotenv takes the JSON literally (it would not unescape `\"`).
 */
export async function writeSecretsEnvFile(stateDir: string): Promise<string> {
  const path = join(stateDir, "bench.env");
  const lines = Object.entries(await localSecrets()).map(([name, value]) => `${name}='${value}'\n`);
  writeFileSync(path, lines.join(""), { mode: 0o600 });
  return path;
}

/**
 * wrangler merges `process.env` into the worker's secrets and vars when a
 * config declares `secrets.required`, so a developer's shell with, say,
 * `ACCESS_TOKEN_TTL=5` exported would change what is measured. The bench
 * passes wrangler an environment without the worker's variable names.
 */
export function environmentWithoutWorkerVars(): NodeJS.ProcessEnv {
  const config = readWranglerConfig("wrangler.toml");
  const names = new Set([...Object.keys(config.vars ?? {}), ...(config.secrets?.required ?? [])]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // No usage metrics and no update check from a benchmark run.
    WRANGLER_SEND_METRICS: "false",
  };
  for (const name of names) delete env[name];
  return env;
}

/** Local D1 schema in the throwaway state folder, exactly as `npm run dev` applies it. */
export async function applyMigrations(stateDir: string): Promise<void> {
  await runNode([WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
    cwd: ROOT,
    logPath: join(stateDir, "migrations.log"),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    what: "wrangler d1 migrations apply",
  });
}

/**
 * One admin per load connection (bench-1@example.com, …), each with a random
 * password that every bench login gets right. One per connection because the
 * lockout counts an attempt before its password is checked and a success
 * clears the count: with LOGIN_MAX_FAILURES (5) or more logins of one email in
 * flight at once, the next ones find the email locked, right password or not.
 * With one connection per admin an email never has two logins in flight.
 */
export async function createBenchAdmins(stateDir: string, count: number, prefix = "bench-"): Promise<BenchAdmin[]> {
  const admins = Array.from({ length: count }, (_, index) => ({
    email: `${prefix}${index + 1}@example.com`,
    password: encodeBase64Url(crypto.getRandomValues(new Uint8Array(18))),
  }));
  await runNode([join(ROOT, "bench", "lib", "create-admins.ts"), "--persist-to", stateDir], {
    cwd: ROOT,
    logPath: join(stateDir, "admins.log"),
    env: { ...process.env, BENCH_ADMINS: JSON.stringify(admins), WRANGLER_SEND_METRICS: "false" },
    what: "creating the bench admins",
  });
  return admins;
}
