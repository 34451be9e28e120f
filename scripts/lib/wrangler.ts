import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { experimental_readRawConfig, type Unstable_RawConfig } from "wrangler";
import { visible } from "./visible.ts";

const ROOT = join(import.meta.dirname, "../..");

/** The project's wrangler, always started with the Node running this script (the pinned one), in the project's folder. */
export const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** A wrangler config (relative to the repository root) as wrangler itself reads it: TOML, JSON or JSONC alike. */
export function readWranglerConfig(path = "wrangler.toml"): Unstable_RawConfig {
  return experimental_readRawConfig({ config: join(ROOT, path) }).rawConfig;
}

/** Wrangler's notices (secrets found, bindings listed) would bury the one line an operator reads. */
export const QUIET_WRANGLER = { WRANGLER_LOG: process.env.WRANGLER_LOG ?? "error", FORCE_COLOR: "0" };

/** Runs wrangler, its output on this terminal, failing loudly. */
export function wrangler(args: string[]): void {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed`);
}

/** Runs wrangler and returns what it printed; on failure that is shown and it throws. */
export function wranglerOutput(args: string[], env: Record<string, string> = QUIET_WRANGLER): string {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    // wrangler echoes its arguments: an operator's flag must not drive the terminal either.
    process.stderr.write(output.split("\n").map(visible).join("\n"));
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed`);
  }
  return output;
}
