import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/config.ts";
import { checkDeployableConfig } from "../src/config/deployable-config.ts";

describe("configuration", () => {
  it("a number left unquoted in wrangler.toml is named as such, not as missing", () => {
    expect(() => parseConfig({ ...env, ACCESS_TOKEN_TTL: 900 })).toThrow("Invalid configuration: ACCESS_TOKEN_TTL must be a string");
    expect(() => parseConfig({ ...env, ACCESS_TOKEN_TTL: undefined })).toThrow("Invalid configuration: ACCESS_TOKEN_TTL is missing");
  });

  describe("before a deploy", () => {
    const { JWT_SIGNING_KEYS, MFA_ENCRYPTION_KEYS, ...vars } = env;

    it("checks every var, and leaves the secrets it was not given to the worker", () => {
      expect(() => checkDeployableConfig(vars)).not.toThrow();
      expect(() => checkDeployableConfig({ ...vars, PBKDF2_ITERATIONS: "600000" })).toThrow("Invalid configuration: PBKDF2_ITERATIONS must be at most 100000");
      expect(() => checkDeployableConfig({ ...vars, REFRESH_TOKEN_TTL: "5" })).toThrow(
        "Invalid configuration: REFRESH_REUSE_INTERVAL must be at most REFRESH_TOKEN_TTL (5)",
      );
    });

    it("checks a secret it was given", () => {
      expect(() => checkDeployableConfig({ ...vars, JWT_SIGNING_KEYS, MFA_ENCRYPTION_KEYS })).not.toThrow();
      expect(() => checkDeployableConfig({ ...vars, MFA_ENCRYPTION_KEYS: "[]" })).toThrow(
        'Invalid configuration: MFA_ENCRYPTION_KEYS must be a non-empty JSON array of {"kid", "k"} keys',
      );
    });
  });
});
