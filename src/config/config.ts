import * as z from "zod/mini";
import { decodeBase64Url } from "../encoding/base64.ts";

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

/** A whole number written as digits only, the way `pattern` (and `problem` when it does not match) says. */
const integerVar = (pattern: RegExp, problem: string, max: number) =>
  z.pipe(z.string().check(z.regex(pattern, problem)), z.pipe(z.transform(Number), z.number().check(z.maximum(max, `must be at most ${max}`))));

const positiveInteger = (max = Number.MAX_SAFE_INTEGER) => integerVar(/^[1-9][0-9]*$/, "must be a positive integer", max);

/** For a grace period, where 0 means none. */
const wholeNumber = () => integerVar(/^(0|[1-9][0-9]*)$/, "must be 0 or a positive integer", Number.MAX_SAFE_INTEGER);

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

/**
 * The WebAuthn relying party id: a host name (WebAuthn §5.1.3 refuses IP
 * addresses), without scheme or port, which the panel's origins must equal
 * or be subdomains of.
 */
const rpId = z
  .string()
  .check(
    z.regex(
      /^(?=.{1,253}$)(?!.*\.\d+$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
      "must be a lower-case host name like scaikey.example.com, without scheme or port",
    ),
  );

/** Absent means off: a deployment shows its API docs only when asked to. */
const flag = z.pipe(
  z.optional(z.string().check(z.regex(/^(true|false)$/, 'must be "true" or "false"'))),
  z.transform((value) => value === "true"),
);

/** A secret that lists keys: its JSON array, or null if it is not a non-empty one. */
export function jsonArray(secret: string): unknown[] | null {
  try {
    const value: unknown = JSON.parse(secret);
    return Array.isArray(value) && value.length > 0 ? value : null;
  } catch {
    return null;
  }
}

/** AES-256: a key of any other length is a mistake, not a choice. */
const ENCRYPTION_KEY_BYTES = 32;

/** A `kid` travels inside every ciphertext, joined by dots: it may not contain one. */
const KID = /^[A-Za-z0-9_-]{1,64}$/;

export interface EncryptionKey {
  kid: string;
  key: Uint8Array;
}

/** `[{"kid", "k"}, …]` with `k` 32 bytes in base64url, kids unique; never echoes a key. */
const encryptionKeys = z.pipe(
  nonEmpty,
  z.transform((value, ctx): EncryptionKey[] => {
    const fail = (message: string) => {
      ctx.issues.push({ code: "custom", message, input: "(secret)" });
      return [];
    };
    const entries = jsonArray(value);
    if (!entries) return fail('must be a non-empty JSON array of {"kid", "k"} keys');
    const keys: EncryptionKey[] = [];
    for (const [index, entry] of entries.entries()) {
      const { kid, k } = (entry ?? {}) as { kid?: unknown; k?: unknown };
      if (typeof kid !== "string" || !KID.test(kid)) return fail(`key ${index} needs a kid of 1 to 64 letters, digits, - or _`);
      const key = typeof k === "string" ? decodeBase64Url(k) : null;
      if (key?.length !== ENCRYPTION_KEY_BYTES) return fail(`key ${index} needs k: ${ENCRYPTION_KEY_BYTES} random bytes in base64url`);
      if (keys.some((known) => known.kid === kid)) return fail(`key ${index} repeats kid ${kid}`);
      keys.push({ kid, key });
    }
    return keys;
  }),
);

/** The label of the otpauth:// URI is `issuer:account`: a colon in the issuer would split it wrongly (Key Uri Format). */
const issuerLabel = z._default(z.string().check(z.trim(), z.minLength(1, "must not be empty"), z.regex(/^[^:]*$/, "must not contain a colon")), "ScaiKey");

export const ConfigSchema = z.object({
  ACCESS_TOKEN_TTL: positiveInteger(),
  REFRESH_TOKEN_TTL: positiveInteger(),
  REFRESH_REUSE_INTERVAL: wholeNumber(),
  LOGIN_MAX_FAILURES: positiveInteger(),
  LOGIN_LOCKOUT_SECONDS: positiveInteger(),
  PBKDF2_ITERATIONS: positiveInteger(PBKDF2_MAX_ITERATIONS),
  JWT_ISSUER: nonEmpty,
  JWT_AUDIENCE: nonEmpty,
  ALLOWED_ORIGINS: origins,
  DOCS_ENABLED: flag,
  MFA_ISSUER: issuerLabel,
  /** 30 days unless set: a session is never refreshed past its opening plus this. */
  SESSION_MAX_LIFETIME: z._default(positiveInteger(), 2_592_000),
  JWT_SIGNING_KEYS: nonEmpty,
  MFA_ENCRYPTION_KEYS: encryptionKeys,
  WEBAUTHN_RP_ID: rpId,
  WEBAUTHN_RP_NAME: nonEmpty,
  WEBAUTHN_ORIGINS: origins,
  /** 10 minutes unless set: how recent a sign-in the routes that change how an admin signs in need. */
  REAUTH_MAX_AGE: z._default(positiveInteger(), 600),
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
  /** Seconds from a session's opening after which no refresh extends it. */
  sessionMaxLifetime: number;
  /** The issuer label authenticator apps show beside the admin's email. */
  mfaIssuer: string;
  /** AES-256-GCM keys for TOTP secrets at rest: the first encrypts, all decrypt. */
  mfaEncryptionKeys: EncryptionKey[];
  webauthn: {
    rpId: string;
    rpName: string;
    /** Exactly the origins `clientDataJSON.origin` may hold. */
    origins: string[];
  };
  /** Seconds since a session's sign-in within which the step-up routes are allowed (RFC 9470 `max_age`). */
  reauthMaxAge: number;
}

/** The password policy alone, for the admin CLI, which needs no signing keys. */
export function parsePbkdf2Iterations(value: unknown): number {
  return validate(z.pick(ConfigSchema, { PBKDF2_ITERATIONS: true }), { PBKDF2_ITERATIONS: value }).PBKDF2_ITERATIONS;
}

export type ConfigEnv = Partial<Record<keyof z.infer<typeof ConfigSchema>, unknown>>;

export function parseConfig(env: ConfigEnv): Config {
  const vars = validateConfig(ConfigSchema, env);
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
    sessionMaxLifetime: vars.SESSION_MAX_LIFETIME,
    mfaIssuer: vars.MFA_ISSUER,
    mfaEncryptionKeys: vars.MFA_ENCRYPTION_KEYS,
    webauthn: { rpId: vars.WEBAUTHN_RP_ID, rpName: vars.WEBAUTHN_RP_NAME, origins: vars.WEBAUTHN_ORIGINS },
    reauthMaxAge: vars.REAUTH_MAX_AGE,
  };
}

/**
 * `schema`, then what no single variable can say. A rotated-out refresh token
 * dies at its `exp`, at most REFRESH_TOKEN_TTL after it was issued: a grace
 * period longer than that outlasts every such token, so no replay would ever
 * revoke a session (reuse detection silently off). The bound catches that
 * mistake; a grace close to it is already weak, and the README says so.
 */
export function validateConfig<
  Schema extends z.ZodMiniType<{ REFRESH_REUSE_INTERVAL: number; REFRESH_TOKEN_TTL: number; WEBAUTHN_RP_ID: string; WEBAUTHN_ORIGINS: string[] }>,
>(schema: Schema, env: ConfigEnv): z.infer<Schema> {
  const vars = validate(schema, env);
  if (vars.REFRESH_REUSE_INTERVAL > vars.REFRESH_TOKEN_TTL) {
    throw new ConfigError("REFRESH_REUSE_INTERVAL", `must be at most REFRESH_TOKEN_TTL (${vars.REFRESH_TOKEN_TTL})`);
  }
  checkWebAuthnOrigins(vars.WEBAUTHN_ORIGINS, vars.WEBAUTHN_RP_ID);
  return vars;
}

/**
 * A browser creates and uses a passkey only on a page whose origin is secure
 * (https, or http on localhost) and whose host is the RP id or a subdomain of
 * it (WebAuthn §5.1.3, §5.1.4.1): an origin listed otherwise could never sign
 * in, and none listed means no passkey could.
 */
function checkWebAuthnOrigins(origins: readonly string[], rpId: string): void {
  if (origins.length === 0) throw new ConfigError("WEBAUTHN_ORIGINS", "must list the admin panel's origin, like https://admin.example.com");
  for (const origin of origins) {
    const { protocol, hostname } = new URL(origin);
    if (protocol !== "https:" && !(protocol === "http:" && hostname === "localhost")) {
      throw new ConfigError("WEBAUTHN_ORIGINS", `has ${origin}, which is not https (or http://localhost)`);
    }
    if (hostname !== rpId && !hostname.endsWith(`.${rpId}`)) {
      throw new ConfigError("WEBAUTHN_ORIGINS", `has ${origin}, whose host is not WEBAUTHN_RP_ID (${rpId}) or a subdomain of it`);
    }
  }
}

/** The first problem, named by its variable: the operator fixes one line and redeploys. */
function validate<Schema extends z.ZodMiniType>(schema: Schema, env: unknown): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? "configuration");
  const problem = issue?.code !== "invalid_type" ? (issue?.message ?? "is invalid") : isMissing(env, variable) ? "is missing" : "must be a string";
  throw new ConfigError(variable, problem);
}

/** A TOML number or boolean under `[vars]` reaches the worker as JSON, not as the string every variable is. */
function isMissing(env: unknown, variable: string): boolean {
  return typeof env !== "object" || env === null || (env as Record<string, unknown>)[variable] === undefined;
}
