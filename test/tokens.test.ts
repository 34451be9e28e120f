import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { forgeToken } from "./support/tokens.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

const COULD_NOT_VALIDATE = '{"detail":"Could not validate credentials"}';

async function me(token: string): Promise<Response> {
  return call(`${PREFIX}/me`, { headers: bearer(token) });
}

describe("issued tokens", () => {
  it("carry kid, typ and every checked claim", async () => {
    const tokens = await loginAs(await createAdmin());
    const keys = JSON.parse(env.JWT_SIGNING_KEYS) as { kid: string }[];
    expect(decodeProtectedHeader(tokens.access_token)).toEqual({ alg: "ES256", kid: keys[0]?.kid, typ: "at+jwt" });
    expect(decodeProtectedHeader(tokens.refresh_token)).toEqual({ alg: "ES256", kid: keys[0]?.kid, typ: "refresh+jwt" });
    const access = decodeJwt(tokens.access_token);
    const refresh = decodeJwt(tokens.refresh_token);
    expect(Object.keys(access).sort()).toEqual(["amr", "aud", "auth_time", "exp", "iat", "iss", "jti", "sid", "sub"]);
    expect(Object.keys(refresh).sort()).toEqual(Object.keys(access).sort());
    expect([access.amr, refresh.amr]).toEqual([["pwd"], ["pwd"]]);
    expect(access.exp).toBe((access.iat as number) + 900);
    expect(refresh.exp).toBe((refresh.iat as number) + 604_800);
    expect(access.sid).toBe(refresh.sid);
    expect(access.auth_time).toBe(refresh.auth_time);
    expect(access.jti).not.toBe(refresh.jti);
  });
});

describe("access token verification", () => {
  it("keeps accepting a token signed by a key that is still listed (rotation)", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    const { sub, sid } = decodeJwt(tokens.access_token);
    const signedByRetiringKey = await forgeToken({ keyIndex: 1, claims: { sub, sid } });
    expect((await me(signedByRetiringKey)).status).toBe(200);
  });

  it.each([
    ["expired", { claims: { exp: Math.floor(Date.now() / 1000) - 1 } }],
    ["wrong issuer", { claims: { iss: "https://evil.example" } }],
    ["wrong audience", { claims: { aud: "someone-else" } }],
    ["refresh type", { typ: "refresh+jwt" }],
    ["no type", { typ: "JWT" }],
    ["unknown kid", { kid: "no-such-key" }],
    ["missing sid", { claims: { sid: undefined } }],
  ])("refuses %s", async (_name, options) => {
    const response = await me(await forgeToken(options));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect(await response.text()).toBe(COULD_NOT_VALIDATE);
  });

  it("refuses an unsigned (alg: none) token", async () => {
    const encode = (value: object) => btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
    const payload = decodeJwt(await forgeToken());
    const token = `${encode({ alg: "none", typ: "at+jwt" })}.${encode(payload)}.`;
    expect(await (await me(token)).text()).toBe(COULD_NOT_VALIDATE);
  });

  it("refuses a tampered payload", async () => {
    const [header, , signature] = (await forgeToken()).split(".");
    const forged = btoa(JSON.stringify({ ...decodeJwt(await forgeToken()), sub: "someone-else" })).replaceAll("=", "");
    expect(await (await me(`${header}.${forged}.${signature}`)).text()).toBe(COULD_NOT_VALIDATE);
  });

  it("refuses an oversized token cheaply", async () => {
    expect(await (await me("a".repeat(100_000))).text()).toBe(COULD_NOT_VALIDATE);
  });
});

describe("refresh token verification", () => {
  it("refuses an expired refresh token", async () => {
    const token = await forgeToken({ typ: "refresh+jwt", claims: { exp: Math.floor(Date.now() / 1000) - 5 } });
    const response = await postJson(`${PREFIX}/refresh`, { refresh_token: token });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"detail":"Invalid refresh token"}');
  });
});

describe("JWKS", () => {
  it("publishes the public halves of every key, never a private part", async () => {
    const response = await call("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    const { keys } = await response.json<{ keys: Record<string, string>[] }>();
    const configured = JSON.parse(env.JWT_SIGNING_KEYS) as { kid: string }[];
    expect(keys.map((key) => key.kid)).toEqual(configured.map((key) => key.kid));
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key.d).toBeUndefined();
    }
  });
});

describe("a broken signing key", () => {
  it("is a configuration error naming JWT_SIGNING_KEYS when its private part does not belong to its public part", async () => {
    const [first, second] = JSON.parse(env.JWT_SIGNING_KEYS) as Record<string, string>[];
    const mismatched = JSON.stringify([{ ...first, d: second?.d }]);
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const response = await worker.fetch(
        new Request("https://auth.test/.well-known/jwks.json"),
        { ...env, JWT_SIGNING_KEYS: mismatched },
        createExecutionContext(),
      );
      expect(response.status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toMatch(/Invalid configuration: JWT_SIGNING_KEYS key 0/);
  });
});
