import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";

export interface Target {
  remote: boolean;
  /** A wrangler environment (`staging`, `production`), for its own D1 and KV. */
  environment?: string;
  /** Where local D1 and KV live; wrangler's default unless a test points elsewhere. */
  persistTo?: string;
}

const WRANGLER = join(import.meta.dirname, "../../node_modules/wrangler/bin/wrangler.js");

/** Wrangler's notices (secrets found, bindings listed) would bury the one line an operator reads. */
const QUIET_WRANGLER = { WRANGLER_LOG: process.env.WRANGLER_LOG ?? "error" };

/** Runs wrangler with this Node (the pinned one), failing loudly. */
export function wrangler(args: string[], options: { quiet?: boolean } = {}): void {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    stdio: options.quiet ? "pipe" : "inherit",
    encoding: "utf8",
    env: { ...process.env, ...(options.quiet ? QUIET_WRANGLER : {}) },
  });
  if (result.status !== 0) {
    if (options.quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed`);
  }
}

function locationFlags(target: Target): string[] {
  const environment = target.environment ? ["--env", target.environment] : [];
  if (target.remote) return ["--remote", ...environment];
  return ["--local", ...environment, ...(target.persistTo ? ["--persist-to", target.persistTo] : [])];
}

export function applyMigrations(target: Target): void {
  wrangler(["d1", "migrations", "apply", "DB", ...locationFlags(target)], { quiet: !target.remote });
}

/**
 * The worker's own D1 and KV bindings, outside the worker: local state by
 * default (the same files `wrangler dev` uses), the deployed resources with
 * `remote` (wrangler's remote bindings, which need `wrangler login`).
 */
export async function withBindings<T>(target: Target, use: (env: Env) => Promise<T>): Promise<T> {
  const remoteConfig = target.remote ? writeRemoteConfig() : undefined;
  const logLevel = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = QUIET_WRANGLER.WRANGLER_LOG;
  try {
    const proxy = await getPlatformProxy<Env>({
      configPath: remoteConfig,
      environment: target.environment,
      persist: target.persistTo ? { path: join(target.persistTo, "v3") } : true,
      remoteBindings: target.remote,
    });
    try {
      return await use(proxy.env);
    } finally {
      await proxy.dispose();
    }
  } finally {
    if (logLevel === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = logLevel;
    if (remoteConfig) rmSync(remoteConfig, { force: true });
  }
}

/** A copy of the wrangler config with D1 and KV marked remote, beside the original so its paths still resolve. */
function writeRemoteConfig(): string {
  const root = join(import.meta.dirname, "../..");
  const source = readFileSync(join(root, "wrangler.jsonc"), "utf8")
    .split("\n")
    .filter((line) => !line.trim().startsWith("//"))
    .join("\n");
  interface Bindings {
    d1_databases: object[];
    kv_namespaces: object[];
  }
  const config = JSON.parse(source) as Bindings & { env?: Record<string, Bindings> };
  for (const scope of [config, ...Object.values(config.env ?? {})]) {
    scope.d1_databases = scope.d1_databases.map((binding) => ({ ...binding, remote: true }));
    scope.kv_namespaces = scope.kv_namespaces.map((binding) => ({ ...binding, remote: true }));
  }
  const path = join(root, ".wrangler-remote.tmp.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}
