import { dirname, join } from "node:path";
import type { Unstable_RawConfig } from "wrangler";
import { checkSameFields, runtimeAndBindings } from "./floor-config.ts";
import { ROOT } from "./wrangler-dev.ts";

export const LATENCY_CONFIG = "bench/latency/wrangler.toml";

/**
 * The latency worker runs the real worker's code, so beyond what the floor
 * must share (runtime, bundling, assets front, bindings) it must also read
 * the same settings and serve the same files: every var, the required
 * secrets, the CPU limit, and the same built assets directory.
 */
function sameWorker(config: Unstable_RawConfig, path: string) {
  return {
    ...runtimeAndBindings(config),
    assets_directory: config.assets?.directory === undefined ? undefined : join(ROOT, dirname(path), config.assets.directory),
    build_command: config.build?.command,
    limits: config.limits ?? {},
    vars: config.vars ?? {},
    secrets_required: config.secrets?.required ?? [],
  };
}

/** Both configs through wrangler's own reader; throws naming every field that differs. */
export function checkLatencyConfig(): void {
  checkSameFields(LATENCY_CONFIG, "the latency worker", sameWorker);
}
