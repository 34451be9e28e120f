import * as z from "zod/mini";
import { type ConfigEnv, ConfigSchema, validateConfig } from "./config.ts";

/** The secrets a deploy may not see: `wrangler secret put` keeps them in Cloudflare. */
const DeployableConfigSchema = z.partial(ConfigSchema, { JWT_SIGNING_KEYS: true, MFA_ENCRYPTION_KEYS: true });

/**
 * What a deploy can check before it uploads, with the worker's own schema:
 * every var, and each secret it was handed (`--secrets-file`); a secret it
 * lacks is checked by the worker. Not part of the worker's bundle.
 */
export function checkDeployableConfig(env: ConfigEnv): void {
  validateConfig(DeployableConfigSchema, env);
}
