import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { CompactSign, decodeJwt, exportSPKI, importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { MAX_CLOCK_SKEW_SECONDS } from "../src/tokens/verify-token.ts";
import { forgeToken } from "./support/tokens.ts";
import { BASE_URL, bearer, call, createAdmin, type LoginBody, loginAs, PREFIX, postJson } from "./support/worker.ts";

const COULD_NOT_VALIDATE = '{"detail":"Could not validate credentials"}';
const INVALID_REFRESH = '{"detail":"Invalid refresh token"}';

const base64url = (bytes: Uint8Array | string) =>
  btoa(typeof bytes === "string" ? bytes : String.fromCharCode(...bytes))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_");

/** A real session's claims, so that only the forgery itself can be what fails. */
async function liveClaims(): Promise<Record<string, unknown>> {
  const tokens = await loginAs(await createAdmin());
  return decodeJwt(tokens.access_token);
}

/** HS256 keyed with the public key's own text: the classic algorithm-confusion forgery. */
async function hmacForgery(secret: string, claims: Record<string, unknown>, kid: string): Promise<string> {
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", kid, typ: "at+jwt" }))}.${base64url(JSON.stringify(claims))}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signingInput)));
  return `${signingInput}.${base64url(signature)}`;
}

async function expectRefused(token: string): Promise<void> {
  const response = await call(`${PREFIX}/me`, { headers: bearer(token) });
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
  expect(await response.text()).toBe(COULD_NOT_VALIDATE);
}

describe("forged and damaged access tokens", () => {
  const [signingJwk] = JSON.parse(env.JWT_SIGNING_KEYS) as JWK[];
  const { d: _private, ...publicJwk } = signingJwk as JWK;
  const kid = publicJwk.kid as string;

  it("control: a genuine claim set signed with the real key is accepted", async () => {
    const response = await call(`${PREFIX}/me`, { headers: bearer(await forgeToken({ claims: await liveClaims() })) });
    expect(response.status).toBe(200);
  });

  it("refuses alg none", async () => {
    await expectRefused(`${base64url(JSON.stringify({ alg: "none", kid, typ: "at+jwt" }))}.${base64url(JSON.stringify(await liveClaims()))}.`);
  });

  it("refuses HS256 signed with the public key as a JWK", async () => {
    await expectRefused(await hmacForgery(JSON.stringify(publicJwk), await liveClaims(), kid));
  });

  it("refuses HS256 signed with the public key as a PEM", async () => {
    const pem = await exportSPKI((await importJWK(publicJwk, "ES256", { extractable: true })) as CryptoKey);
    await expectRefused(await hmacForgery(pem, await liveClaims(), kid));
  });

  it("refuses a foreign key that reuses a real kid", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    await expectRefused(await forgeToken({ key: pair.privateKey, kid, claims: await liveClaims() }));
  });

  it("refuses a tampered payload under a genuine signature", async () => {
    const token = await forgeToken({ claims: await liveClaims() });
    const [header, payload, signature] = token.split(".");
    const tampered = { ...decodeJwt(token), exp: 4_000_000_000 };
    expect(payload).not.toBe(base64url(JSON.stringify(tampered)));
    await expectRefused(`${header}.${base64url(JSON.stringify(tampered))}.${signature}`);
  });

  it.each<[string, { kid?: string; claims?: Record<string, unknown> }]>([
    ["an unknown kid", { kid: "unknown-kid" }],
    ["an expired token", { claims: { exp: Math.floor(Date.now() / 1000) - 1 } }],
    ["a not-yet-valid token", { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }],
    ["a wrong issuer", { claims: { iss: "https://attacker.example" } }],
    ["a wrong audience", { claims: { aud: "another-service" } }],
    ["an audience list, even one naming us", { claims: { aud: [env.JWT_AUDIENCE] } }],
    ["an expiry that is not whole seconds", { claims: { exp: Math.floor(Date.now() / 1000) + 600.5 } }],
    ["an issue time that is not a number", { claims: { iat: String(Math.floor(Date.now() / 1000)) } }],
    ["an empty session id", { claims: { sid: "" } }],
  ])("refuses %s", async (_name, options) => {
    const claims = await liveClaims();
    await expectRefused(await forgeToken({ ...options, claims: { ...claims, ...options.claims } }));
  });

  it.each([
    ["an expiry of 1e400, which JSON reads as Infinity", (claims: string) => claims.replace(/"exp":\d+/, '"exp":1e400')],
    ["a claims set that is not UTF-8", () => "\u00ff"],
  ])("refuses a genuinely signed token with %s", async (_name, rewrite) => {
    const claims = JSON.stringify(await liveClaims());
    const payload = Uint8Array.from(rewrite(claims), (char) => char.charCodeAt(0) & 0xff);
    const [jwk] = JSON.parse(env.JWT_SIGNING_KEYS) as JWK[];
    const key = (await importJWK(jwk as JWK, "ES256")) as CryptoKey;
    await expectRefused(await new CompactSign(payload).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" }).sign(key));
  });

  it.each([
    ["the signature cut short", (token: string) => token.slice(0, -4)],
    ["no signature", (token: string) => token.split(".").slice(0, 2).join(".")],
    ["one part", (token: string) => token.split(".")[0] ?? ""],
    ["an extra part", (token: string) => `${token}.AAAA`],
    ["megabytes of header", () => "A".repeat(1024 * 1024)],
  ])("refuses a token with %s", async (_name, damage) => {
    await expectRefused(damage(await forgeToken({ claims: await liveClaims() })));
  });
});

describe("token kinds do not cross", () => {
  it("an access token is not a refresh token, and a refresh token not an access token", async () => {
    const tokens = await loginAs(await createAdmin());
    const asRefresh = await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.access_token });
    expect(await asRefresh.text()).toBe(INVALID_REFRESH);
    await expectRefused(tokens.refresh_token);
  });

  it("a refresh-typed token signed with the real key but for an unknown session is refused", async () => {
    const token = await forgeToken({ typ: "refresh+jwt" });
    expect(await (await postJson(`${PREFIX}/refresh`, { refresh_token: token })).text()).toBe(INVALID_REFRESH);
  });
});

/** Signs `header`, JSON text exactly as given, over `claims` with the worker's own signing key. */
async function signWithHeader(header: string, claims: Record<string, unknown>): Promise<string> {
  const [jwk] = JSON.parse(env.JWT_SIGNING_KEYS) as JWK[];
  const key = (await importJWK(jwk as JWK, "ES256")) as CryptoKey;
  const signingInput = `${base64url(header)}.${base64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

/**
 * Each kind of token, where it is presented and what refuses it. `claimsOf`
 * picks the kind's token of a fresh login, so a forgery carries a live
 * session's claims (for a refresh token, its current `jti`) and only what the
 * test changes can make it fail.
 */
const KINDS = [
  {
    kind: "access",
    typ: "at+jwt",
    longestLife: Number(env.ACCESS_TOKEN_TTL),
    refusal: COULD_NOT_VALIDATE,
    claimsOf: (tokens: LoginBody) => decodeJwt(tokens.access_token),
    present: (token: string) => call(`${PREFIX}/me`, { headers: bearer(token) }),
  },
  {
    kind: "refresh",
    typ: "refresh+jwt",
    longestLife: Math.min(Number(env.REFRESH_TOKEN_TTL), Number(env.SESSION_MAX_LIFETIME)),
    refusal: INVALID_REFRESH,
    claimsOf: (tokens: LoginBody) => decodeJwt(tokens.refresh_token),
    present: (token: string) => postJson(`${PREFIX}/refresh`, { refresh_token: token }),
  },
] as const;

describe.each(KINDS)("$kind tokens say only what this service writes", ({ typ, longestLife, refusal, claimsOf, present }) => {
  const [{ kid }] = JSON.parse(env.JWT_SIGNING_KEYS) as [{ kid: string }];
  const ourHeader = JSON.stringify({ alg: "ES256", kid, typ });
  const liveClaims = async () => claimsOf(await loginAs(await createAdmin()));
  const now = () => Math.floor(Date.now() / 1000);

  async function expectAnswer(token: string, accepted: boolean): Promise<void> {
    const response = await present(token);
    if (accepted) expect(response.status).toBe(200);
    else expect([response.status, await response.text()]).toEqual([401, refusal]);
  }

  it("control: the header this service writes, over a live session's claims, is accepted", async () => {
    await expectAnswer(await signWithHeader(ourHeader, await liveClaims()), true);
  });

  it.each<[string, Record<string, unknown>]>([
    ["crit (naming b64, which jose implements)", { crit: ["b64"], b64: true }],
    ["b64", { b64: false }],
    ["jku", { jku: "https://attacker.example/jwks.json" }],
    ["jwk", { jwk: { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" } }],
    ["x5u", { x5u: "https://attacker.example/cert.pem" }],
    ["x5c", { x5c: ["MIIBszCCAVmgAwIBAgIU"] }],
    ["x5t", { x5t: "dGhpcyBpcyBub3QgYSB0aHVtYnByaW50" }],
    ["x5t#S256", { "x5t#S256": "dGhpcyBpcyBub3QgYSB0aHVtYnByaW50IGVpdGhlcg" }],
    ["zip", { zip: "DEF" }],
    ["cty", { cty: "JWT" }],
    ["a private member", { "x-debug": true }],
  ])("refuses a header with %s", async (_member, extra) => {
    await expectAnswer(await signWithHeader(JSON.stringify({ alg: "ES256", kid, typ, ...extra }), await liveClaims()), false);
  });

  it.each([
    ["alg twice, none first", `{"alg":"none","alg":"ES256","kid":"${kid}","typ":"${typ}"}`],
    ["kid twice, an unknown one first", `{"alg":"ES256","kid":"unknown","kid":"${kid}","typ":"${typ}"}`],
    ["typ twice, another kind's first", `{"alg":"ES256","kid":"${kid}","typ":"JWT","typ":"${typ}"}`],
    ["its members in another order", JSON.stringify({ typ, alg: "ES256", kid })],
    ["whitespace between its members", JSON.stringify({ alg: "ES256", kid, typ }, null, 1)],
  ])("refuses a header that parses as ours but is not written as ours: %s", async (_name, header) => {
    await expectAnswer(await signWithHeader(header, await liveClaims()), false);
  });

  it("is issued with exp − iat exactly the kind's configured life, the bound the next tests hold it to", async () => {
    const claims = await liveClaims();
    expect(Number(claims.exp) - Number(claims.iat)).toBe(longestLife);
  });

  it("refuses exp − iat one second longer than the kind's configured life", async () => {
    const claims = await liveClaims();
    await expectAnswer(await signWithHeader(ourHeader, { ...claims, iat: Number(claims.iat) - 1 }), false);
  });

  it(`accepts an iat up to ${MAX_CLOCK_SKEW_SECONDS} s ahead (clock skew between isolates), refuses one further ahead`, async () => {
    const within = await liveClaims();
    await expectAnswer(await signWithHeader(ourHeader, { ...within, iat: now() + MAX_CLOCK_SKEW_SECONDS }), true);
    // Twice the skew: the worker's clock would have to run a whole skew behind the test's to accept it.
    const beyond = await liveClaims();
    await expectAnswer(await signWithHeader(ourHeader, { ...beyond, iat: now() + 2 * MAX_CLOCK_SKEW_SECONDS }), false);
  });
});

describe("a refresh token's longest life", () => {
  const shorterSessions = { ...env, SESSION_MAX_LIFETIME: "3600" };
  const refreshAt = (config: Env, refreshToken: string) =>
    worker.fetch(
      new Request(`${BASE_URL}${PREFIX}/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: refreshToken }),
      }),
      config,
      createExecutionContext(),
    );

  it("is SESSION_MAX_LIFETIME when that is shorter than REFRESH_TOKEN_TTL: a token written under a longer one is refused", async () => {
    const { refresh_token } = await loginAs(await createAdmin());
    expect(await (await refreshAt(shorterSessions, refresh_token)).text()).toBe(INVALID_REFRESH);
    // The session itself was young enough for either setting: the same token refreshes where it was written.
    expect((await refreshAt(env, refresh_token)).status).toBe(200);
  });
});
