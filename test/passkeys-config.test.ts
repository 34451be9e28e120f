import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/config.ts";

const base = env as unknown as Record<string, unknown>;

describe("passkey and step-up configuration", () => {
  it("reads the local defaults of wrangler.toml", () => {
    expect(parseConfig(base)).toMatchObject({
      webauthn: { rpId: "localhost", rpName: "ScaiKey", origins: ["http://localhost:8787"] },
      reauthMaxAge: 600,
    });
    expect(parseConfig({ ...base, REAUTH_MAX_AGE: undefined }).reauthMaxAge).toBe(600);
  });

  it.each([
    [{ WEBAUTHN_RP_ID: undefined }, "WEBAUTHN_RP_ID is missing"],
    [{ WEBAUTHN_RP_ID: "https://example.com" }, "WEBAUTHN_RP_ID must be a lower-case host name"],
    [{ WEBAUTHN_RP_ID: "example.com:443" }, "WEBAUTHN_RP_ID must be a lower-case host name"],
    [{ WEBAUTHN_RP_ID: "192.168.0.1" }, "WEBAUTHN_RP_ID must be a lower-case host name"],
    [{ WEBAUTHN_RP_NAME: " " }, "WEBAUTHN_RP_NAME must not be empty"],
    [{ WEBAUTHN_ORIGINS: "" }, "WEBAUTHN_ORIGINS must list the admin panel's origin"],
    [{ WEBAUTHN_ORIGINS: "https://admin.example.com/" }, "WEBAUTHN_ORIGINS has"],
    [{ WEBAUTHN_ORIGINS: "https://admin.example.com" }, "whose host is not WEBAUTHN_RP_ID (localhost)"],
    [{ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "http://admin.example.com" }, "is not https (or http://localhost)"],
    [{ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://admin.example.com,https://evilexample.com" }, "https://evilexample.com, whose host is not"],
    [{ REAUTH_MAX_AGE: "0" }, "REAUTH_MAX_AGE must be a positive integer"],
    [{ REAUTH_MAX_AGE: "10m" }, "REAUTH_MAX_AGE must be a positive integer"],
  ])("refuses %j, naming the variable", (vars, message) => {
    expect(() => parseConfig({ ...base, ...vars })).toThrow(message);
  });

  it("accepts the panel on the RP id itself or a subdomain, several origins", () => {
    const config = parseConfig({ ...base, WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://example.com, https://admin.example.com:8443" });
    expect(config.webauthn.origins).toEqual(["https://example.com", "https://admin.example.com:8443"]);
  });
});
