import type { Unstable_RawConfig } from "wrangler";
import { readWranglerConfig } from "../../scripts/lib/wrangler.ts";

export const PROJECT_CONFIG = "wrangler.toml";
export const FLOOR_CONFIG = "bench/floor/wrangler.toml";

/**
 * What must be the same in the floor's config as in the real worker's for
 * `project ÷ floor` to measure the app's own code: the runtime (compatibility
 * date and flags), the bundling, the static-assets front that wrangler dev
 * runs as a hop in front of the worker, and the bindings — by kind, name and
 * id, since the floor runs on a copy of the real worker's local state and
 * local D1 and KV find their files by id.
 */
export function runtimeAndBindings(config: Unstable_RawConfig) {
  return {
    compatibility_date: config.compatibility_date,
    compatibility_flags: config.compatibility_flags ?? [],
    minify: config.minify ?? false,
    keep_names: config.keep_names ?? true,
    assets: config.assets && {
      has_directory: config.assets.directory !== undefined,
      has_binding: config.assets.binding !== undefined,
      run_worker_first: config.assets.run_worker_first,
      html_handling: config.assets.html_handling,
      not_found_handling: config.assets.not_found_handling,
    },
    d1_databases: (config.d1_databases ?? []).map(({ binding, database_id }) => ({ binding, database_id })),
    kv_namespaces: (config.kv_namespaces ?? []).map(({ binding, id }) => ({ binding, id })),
    ratelimits: (config.ratelimits ?? []).map(({ name, namespace_id, simple }) => ({ name, namespace_id, simple })),
  };
}

/** Both configs through wrangler's own reader; throws naming every field that differs. */
export function checkFloorConfig(): void {
  checkSameFields(FLOOR_CONFIG, "the floor", runtimeAndBindings);
}

/** Throws, naming each field, unless `fieldsOf` reads the same from `config` as from the real worker's config. */
export function checkSameFields<T extends Record<string, unknown>>(config: string, what: string, fieldsOf: (raw: Unstable_RawConfig, path: string) => T): void {
  const project = fieldsOf(readWranglerConfig(PROJECT_CONFIG), PROJECT_CONFIG);
  const other = fieldsOf(readWranglerConfig(config), config);
  const differences = Object.keys(project).filter((field) => JSON.stringify(project[field]) !== JSON.stringify(other[field]));
  if (differences.length > 0) {
    const detail = differences.map((field) => `${field}: ${JSON.stringify(project[field])} in ${PROJECT_CONFIG}, ${JSON.stringify(other[field])} in ${config}`);
    throw new Error(`${what} must run as the real worker does; they differ in\n  ${detail.join("\n  ")}`);
  }
}
