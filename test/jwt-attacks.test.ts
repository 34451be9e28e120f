import { env } from "cloudflare:workers";
import { CompactSign, decodeJwt, exportSPKI, importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { forgeToken } from "./support/tokens.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

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
