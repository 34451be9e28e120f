import { join } from "node:path";
import { experimental_readRawConfig, type Unstable_RawConfig } from "wrangler";
import { ROOT } from "./wrangler-dev.ts";

/** A wrangler config (relative to the repository root) as wrangler itself reads it: TOML, JSON or JSONC alike. */
export function readConfig(path: string): Unstable_RawConfig {
  return experimental_readRawConfig({ config: join(ROOT, path) }).rawConfig;
}
