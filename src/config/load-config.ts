import { type Config, parseConfig } from "./config.ts";

const configs = new WeakMap<object, Config>();

/** Parses the environment once per isolate (the runtime hands every request the same `env`). */
export function loadConfig(env: Env): Config {
  let config = configs.get(env);
  if (!config) {
    config = parseConfig(env);
    configs.set(env, config);
  }
  return config;
}
