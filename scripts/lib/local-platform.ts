import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { QUIET_WRANGLER, readWranglerConfig, wrangler, wranglerOutput } from "./wrangler.ts";

export interface Target {
  remote: boolean;
  /** A wrangler environment (`staging`, `production`), for its own D1 and KV. */
  environment?: string;
  /** Where local D1 and KV live; wrangler's default unless a test points elsewhere. */
  persistTo?: string;
}

function locationFlags(target: Target): string[] {
  const environment = target.environment ? ["--env", target.environment] : [];
  if (target.remote) return ["--remote", ...environment];
  return ["--local", ...environment, ...(target.persistTo ? ["--persist-to", target.persistTo] : [])];
}

export function applyMigrations(target: Target): void {
  const args = ["d1", "migrations", "apply", "DB", ...locationFlags(target)];
  // Remote migrations are the operator's business to watch; local ones are routine.
  if (target.remote) wrangler(args);
  else wranglerOutput(args);
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
  const config = readWranglerConfig();
  const scopes: { d1_databases?: object[]; kv_namespaces?: object[] }[] = [config, ...Object.values(config.env ?? {})];
  for (const scope of scopes) {
    scope.d1_databases = scope.d1_databases?.map((binding) => ({ ...binding, remote: true }));
    scope.kv_namespaces = scope.kv_namespaces?.map((binding) => ({ ...binding, remote: true }));
  }
  const path = join(root, ".wrangler-remote.tmp.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}
