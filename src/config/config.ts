import * as z from "zod/mini";

/**
 * Cloudflare's production runtime rejects PBKDF2 above this many iterations,
 * while local workerd silently accepts more: a higher setting would pass every
 * local test and then break every login in production.
 */
export const PBKDF2_MAX_ITERATIONS = 100_000;

/** Thrown for a bad variable; its message names the variable, never its value if secret. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

const positiveInteger = (max = Number.MAX_SAFE_INTEGER) =>
  z.pipe(
    z.string().check(z.regex(/^[1-9][0-9]*$/, "must be a positive integer")),
    z.pipe(z.transform(Number), z.number().check(z.maximum(max, `must be at most ${max}`))),
  );

const nonEmpty = z.string().check(z.trim(), z.minLength(1, "must not be empty"));

/** Browsers send `Origin` as scheme://host[:port], nothing more: an entry with a path or slash would never match. */
const origins = z.pipe(
  z.optional(z.string()),
  z.transform((value, ctx) => {
    const entries = (value ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean);
    for (const entry of entries) {
      if (URL.canParse(entry) && new URL(entry).origin === entry) continue;
      ctx.issues.push({ code: "custom", message: `has ${JSON.stringify(entry)}, which is not an origin like https://admin.example.com`, input: value });
    }
    return entries;
  }),
);

/** Absent means off: a deployment shows its API docs only when asked to. */
const flag = z.pipe(
  z.optional(z.string().check(z.regex(/^(true|false)$/, 'must be "true" or "false"'))),
  z.transform((value) => value === "true"),
);

const ConfigSchema = z.object({
  ACCESS_TOKEN_TTL: positiveInteger(),
  REFRESH_TOKEN_TTL: positiveInteger(),
  REFRESH_REUSE_INTERVAL: positiveInteger(),
  LOGIN_MAX_FAILURES: positiveInteger(),
  LOGIN_LOCKOUT_SECONDS: positiveInteger(),
  PBKDF2_ITERATIONS: positiveInteger(PBKDF2_MAX_ITERATIONS),
  JWT_ISSUER: nonEmpty,
  JWT_AUDIENCE: nonEmpty,
  ALLOWED_ORIGINS: origins,
  DOCS_ENABLED: flag,
  JWT_SIGNING_KEYS: nonEmpty,
});

export interface Config {
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshReuseInterval: number;
  loginMaxFailures: number;
  loginLockoutSeconds: number;
  pbkdf2Iterations: number;
  issuer: string;
  audience: string;
  allowedOrigins: string[];
  docsEnabled: boolean;
  /** The raw secret; `loadKeyring` parses and imports it. */
  signingKeys: string;
}

/** The password policy alone, for the admin CLI, which needs no signing keys. */
export function parsePbkdf2Iterations(value: unknown): number {
  return validate(z.pick(ConfigSchema, { PBKDF2_ITERATIONS: true }), { PBKDF2_ITERATIONS: value }).PBKDF2_ITERATIONS;
}

export function parseConfig(env: Partial<Record<keyof z.infer<typeof ConfigSchema>, unknown>>): Config {
  const vars = validate(ConfigSchema, env);
  return {
    accessTokenTtl: vars.ACCESS_TOKEN_TTL,
    refreshTokenTtl: vars.REFRESH_TOKEN_TTL,
    refreshReuseInterval: vars.REFRESH_REUSE_INTERVAL,
    loginMaxFailures: vars.LOGIN_MAX_FAILURES,
    loginLockoutSeconds: vars.LOGIN_LOCKOUT_SECONDS,
    pbkdf2Iterations: vars.PBKDF2_ITERATIONS,
    issuer: vars.JWT_ISSUER,
    audience: vars.JWT_AUDIENCE,
    allowedOrigins: vars.ALLOWED_ORIGINS,
    docsEnabled: vars.DOCS_ENABLED,
    signingKeys: vars.JWT_SIGNING_KEYS,
  };
}

/** The first problem, named by its variable: the operator fixes one line and redeploys. */
function validate<Schema extends z.ZodMiniType>(schema: Schema, env: unknown): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? "configuration");
  const problem = issue?.code === "invalid_type" ? "is missing" : (issue?.message ?? "is invalid");
  throw new ConfigError(variable, problem);
}
