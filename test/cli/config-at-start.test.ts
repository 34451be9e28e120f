import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../scripts/lib/encryption-key.ts";
import { generateSigningJwk } from "../../scripts/lib/signing-key.ts";
import { devVars, varFlags } from "../../scripts/lib/worker-vars.ts";

const ROOT = join(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "config-at-start-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** wrangler said it was serving: the check came too late. */
  served: boolean;
}

/**
 * Runs `npm run dev` or `npm run deploy` as an operator does, without the
 * test run's own keys unless `extraEnv` hands them back. Should wrangler start serving, it is stopped (its whole
 * process group) and the run says so.
 */
function run(script: "dev" | "deploy", args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  delete env.JWT_SIGNING_KEYS;
  delete env.MFA_ENCRYPTION_KEYS;
  delete env.CLOUDFLARE_API_TOKEN;
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, [`scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let served = false;
  const read = (chunk: Buffer, into: "stdout" | "stderr") => {
    if (into === "stdout") stdout += chunk.toString();
    else stderr += chunk.toString();
    if (!served && /Ready on http/.test(stdout + stderr) && child.pid !== undefined) {
      served = true;
      process.kill(-child.pid, "SIGTERM");
    }
  };
  child.stdout.on("data", (chunk: Buffer) => read(chunk, "stdout"));
  child.stderr.on("data", (chunk: Buffer) => read(chunk, "stderr"));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr: stderr.trim(), served })));
}

/** A copy of wrangler.toml in its own folder, with some lines changed; `.dev.vars` there is the copy's. */
function configCopy(name: string, edit: (toml: string) => string = (toml) => toml): string {
  const folder = join(scratch, name);
  mkdirSync(folder);
  const path = join(folder, "wrangler.toml");
  writeFileSync(path, edit(readFileSync(join(ROOT, "wrangler.toml"), "utf8")));
  return path;
}

function setVar(toml: string, section: string, name: string, value: string): string {
  const start = toml.indexOf(`${section}\n`);
  const line = toml.indexOf(`\n${name} = `, start);
  if (start < 0 || line < 0) throw new Error(`${name} not in ${section}`);
  const end = toml.indexOf("\n", line + 1);
  return `${toml.slice(0, line)}\n${name} = "${value}"${toml.slice(end)}`;
}

/** The one line an operator reads, and nothing from wrangler after it. */
function expectStoppedOn(result: Run, line: string): void {
  expect(result.served).toBe(false);
  expect(result.stderr.split("\n").at(-1)).toBe(line);
  expect(result.status).toBe(1);
}

describe("npm run dev checks the configuration before serving", () => {
  it("a bad --var: one line naming it, before anything is migrated or served", async () => {
    const state = join(scratch, "var-state");
    // The test run's keys, so that on a checkout without .dev.vars none is written.
    const keys = { JWT_SIGNING_KEYS: process.env.JWT_SIGNING_KEYS ?? "", MFA_ENCRYPTION_KEYS: process.env.MFA_ENCRYPTION_KEYS ?? "" };
    const result = await run("dev", ["--persist-to", state, "--ip", "127.0.0.1", "--port", "0", "--var", "ACCESS_TOKEN_TTL:abc"], keys);
    expectStoppedOn(result, "error: Invalid configuration: ACCESS_TOKEN_TTL must be a positive integer");
    // Migrations would have made the local database there.
    expect(existsSync(state)).toBe(false);
  });

  it("a bad value in .dev.vars, beside the config given with --config", async () => {
    const config = configCopy("dev-vars");
    writeFileSync(join(config, "../.dev.vars"), "LOGIN_MAX_FAILURES=0\n");
    const result = await run("dev", ["--config", config, "--persist-to", join(scratch, "dev-vars-state"), "--port", "0"]);
    expectStoppedOn(result, "error: Invalid configuration: LOGIN_MAX_FAILURES must be a positive integer");
  });

  it("a bad var in wrangler.toml, of the environment chosen with --env", async () => {
    const config = configCopy("toml", (toml) =>
      setVar(setVar(toml, "[vars]", "REFRESH_REUSE_INTERVAL", "700000"), "[env.staging.vars]", "PBKDF2_ITERATIONS", "600000"),
    );
    const state = join(scratch, "toml-state");
    expectStoppedOn(
      await run("dev", ["--config", config, "--persist-to", state, "--port", "0"]),
      "error: Invalid configuration: REFRESH_REUSE_INTERVAL must be at most REFRESH_TOKEN_TTL (604800)",
    );
    expectStoppedOn(
      await run("dev", ["--config", config, "--env", "staging", "--persist-to", state, "--port", "0"]),
      "error: Invalid configuration: PBKDF2_ITERATIONS must be at most 100000",
    );
  });
});

describe("the vars checked are those wrangler dev hands the worker", () => {
  it("reads --var as wrangler does: split at the first colon, a greedy list, = or a space", () => {
    expect(varFlags(["--var", "A:1", "B:x:y", "--port", "8787", "--var=C:3", "--var", "D:"]).cliVars).toEqual({ A: "1", B: "x:y", C: "3", D: "" });
  });

  it("wrangler.toml, then .dev.vars, then --var; secrets from .dev.vars, not the process environment", () => {
    const config = configCopy("precedence");
    writeFileSync(join(config, "../.dev.vars"), "LOGIN_MAX_FAILURES=0\nMFA_ENCRYPTION_KEYS=from-file\n");
    const original = process.env.JWT_SIGNING_KEYS;
    process.env.JWT_SIGNING_KEYS = "from-environment";
    try {
      const fromFile = devVars(varFlags(["--config", config]));
      expect([fromFile.ACCESS_TOKEN_TTL, fromFile.LOGIN_MAX_FAILURES, fromFile.MFA_ENCRYPTION_KEYS]).toEqual(["900", "0", "from-file"]);
      // wrangler reads the process environment only when there is no .dev.vars.
      expect(fromFile.JWT_SIGNING_KEYS).toBeUndefined();
      expect(devVars(varFlags(["--config", config, "--var", "LOGIN_MAX_FAILURES:7"])).LOGIN_MAX_FAILURES).toBe("7");
      rmSync(join(config, "../.dev.vars"));
      expect(devVars(varFlags(["--config", config])).JWT_SIGNING_KEYS).toBe("from-environment");
    } finally {
      process.env.JWT_SIGNING_KEYS = original;
    }
  });
});

describe("npm run deploy checks the configuration before anything remote", () => {
  it("a bad --var stops it before migrations and before wrangler deploy", async () => {
    const result = await run("deploy", ["--env", "production", "--var", "ACCESS_TOKEN_TTL:abc", "--dry-run"]);
    expectStoppedOn(result, "error: Invalid configuration: ACCESS_TOKEN_TTL must be a positive integer");
    expect(result.stdout).toBe("");
  });

  it("a bad secret in --secrets-file is named; a good configuration goes on to wrangler (a dry run: no migrations, no upload)", async () => {
    const secrets = join(scratch, "secrets.env");
    writeFileSync(secrets, `JWT_SIGNING_KEYS='[{"kty":"EC","crv":"P-256","kid":"k"}]'\n`);
    expectStoppedOn(
      await run("deploy", ["--env", "staging", "--secrets-file", secrets, "--dry-run"]),
      "error: Invalid configuration: JWT_SIGNING_KEYS key 0 must be a private P-256 EC JWK with a kid (ES256)",
    );

    writeFileSync(
      secrets,
      JSON.stringify({ JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]), MFA_ENCRYPTION_KEYS: JSON.stringify([generateEncryptionKey()]) }),
    );
    const result = await run("deploy", ["--env", "staging", "--secrets-file", secrets, "--dry-run"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--dry-run: exiting now.");
    expect(result.stdout).not.toMatch(/migrations/i);
  });
});
