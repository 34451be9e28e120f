import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Unstable_Config, unstable_getVarsForDev, unstable_readConfig } from "wrangler";
import { parseConfig } from "../../src/config/config.ts";
import { checkDeployableConfig } from "../../src/config/deployable-config.ts";
import { loadKeyring } from "../../src/tokens/keyring.ts";
import { visible } from "./visible.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** The flags of `wrangler dev` and `wrangler deploy` that decide which vars and secrets the worker is handed. */
export interface VarFlags {
  /** Absolute; wrangler reads `.dev.vars` beside it. */
  configPath: string;
  environment?: string;
  /** `--env-file`: read instead of `.dev.vars`. */
  envFiles?: string[];
  /** `--secrets-file` of a deploy: secrets uploaded with the code. */
  secretsFile?: string;
  /** `--var NAME:VALUE`, over every other source. */
  cliVars: Record<string, string>;
}

/** Reads those flags out of arguments that go to wrangler, as wrangler reads them. */
export function varFlags(args: string[]): VarFlags {
  const { values, tokens } = parseArgs({
    args,
    strict: false,
    tokens: true,
    options: {
      config: { type: "string", short: "c" },
      env: { type: "string", short: "e" },
      "env-file": { type: "string", multiple: true },
      "secrets-file": { type: "string" },
      var: { type: "string", multiple: true },
    },
  });
  const cliVars: Record<string, string> = {};
  // Split at the first colon, as wrangler does; its `--var` is a greedy yargs array: `--var A:1 B:2` sets both.
  const addVar = (pair: string) => {
    const [name = "", ...value] = pair.split(":");
    cliVars[name] = value.join(":");
  };
  let inVarList = false;
  for (const token of tokens) {
    if (token.kind === "option") {
      inVarList = token.name === "var";
      if (inVarList && token.value !== undefined) addVar(token.value);
    } else if (token.kind === "positional" && inVarList) {
      addVar(token.value);
    } else {
      inVarList = false;
    }
  }
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const envFiles = values["env-file"]?.filter((path) => typeof path === "string");
  return {
    configPath: resolve(ROOT, text(values.config) ?? "wrangler.toml"),
    environment: text(values.env),
    envFiles: envFiles?.length ? envFiles : undefined,
    secretsFile: text(values["secrets-file"]),
    cliVars,
  };
}

/** wrangler's own reader: an environment's vars are its own, never inherited from the top level. */
function readEnvironment(flags: VarFlags): Unstable_Config {
  return unstable_readConfig({ config: flags.configPath, env: flags.environment }, { hideWarnings: true });
}

/**
 * What `wrangler dev` hands the worker: the environment's `[vars]`, then
 * `.dev.vars` (or `.env` files and, for declared secrets, the process
 * environment), then `--var`. wrangler's own function decides the middle part.
 */
export function devVars(flags: VarFlags): Record<string, unknown> {
  const config = readEnvironment(flags);
  const bindings = unstable_getVarsForDev(flags.configPath, flags.envFiles, config.vars, flags.environment, true, config.secrets);
  return { ...Object.fromEntries(Object.entries(bindings).map(([name, binding]) => [name, binding.value])), ...flags.cliVars };
}

/**
 * What `wrangler deploy` uploads: the environment's `[vars]`, then `--var`,
 * then the secrets of `--secrets-file`. Secrets stored with `wrangler secret
 * put` stay in Cloudflare, out of sight.
 */
export function deployVars(flags: VarFlags): Record<string, unknown> {
  const config = readEnvironment(flags);
  const secrets = flags.secretsFile ? readSecretsFile(flags.secretsFile, config.secrets?.required ?? []) : {};
  return { ...config.vars, ...flags.cliVars, ...secrets };
}

/** JSON, or else a dotenv file expanded and overridden by the process environment, as a deploy reads it. */
function readSecretsFile(path: string, names: string[]): Record<string, unknown> {
  const absolute = resolve(path);
  try {
    const parsed: unknown = JSON.parse(readFileSync(absolute, "utf8"));
    if (typeof parsed === "object" && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: dotenv, below.
  }
  const bindings = unstable_getVarsForDev(undefined, [absolute], {}, undefined, true, { required: names });
  return Object.fromEntries(Object.entries(bindings).map(([name, binding]) => [name, binding.value]));
}

/**
 * Runs the worker's own parser (and its keyring's import) on what the worker
 * would be handed, so a bad variable stops the command with one line naming
 * it instead of answering 500 at the first request. `given` checks only the
 * secrets present, for a deploy. Returns what it checked.
 */
export async function checkConfigAtStart(resolveVars: () => Record<string, unknown>, secrets: "all" | "given"): Promise<Record<string, unknown>> {
  try {
    const vars = resolveVars();
    if (secrets === "all") {
      await loadKeyring(parseConfig(vars).signingKeys);
    } else {
      checkDeployableConfig(vars);
      if (typeof vars.JWT_SIGNING_KEYS === "string") await loadKeyring(vars.JWT_SIGNING_KEYS);
    }
    return vars;
  } catch (error) {
    // wrangler's own complaints (an unknown --env, over several lines) are an operator's error too, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split("\n").map(visible).join("\n")}`);
    process.exit(1);
  }
}
