import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("login", () => {
  it("returns a token pair and the admin, never cached", async () => {
    const admin = await createAdmin();
    const response = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = await response.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(["access_token", "refresh_token", "token_type", "expires_in", "user"]);
    expect(body.token_type).toBe("bearer");
    expect(body.expires_in).toBe(900);
    const user = body.user as Record<string, unknown>;
    expect(Object.keys(user)).toEqual(["id", "email", "name", "role", "is_active", "created_at", "last_login_at", "mfa_enabled", "passkey_only"]);
    expect(user).toMatchObject({ id: admin.id, email: admin.email, role: "admin", is_active: true, mfa_enabled: false, passkey_only: false });
    expect(user.created_at).toMatch(ISO_UTC);
    expect(user.last_login_at).toMatch(ISO_UTC);
  });

  it("matches the email case-insensitively and normalises it as pydantic does", async () => {
    const admin = await createAdmin({ email: "Mixed.Case@example.com" });
    const response = await postJson(`${PREFIX}/login`, { email: "  mixed.case@EXAMPLE.COM ", password: admin.password });
    expect(response.status).toBe(200);
  });

  it("answers a wrong password and an unknown email with the same bytes", async () => {
    const admin = await createAdmin();
    const wrong = await postJson(`${PREFIX}/login`, { email: admin.email, password: "not the password" });
    const unknown = await postJson(`${PREFIX}/login`, { email: "ghost@example.com", password: "whatever" });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).toBe('{"detail":"Incorrect email or password"}');
    }
  });

  it("refuses a disabled admin with 403, only after the right password", async () => {
    const admin = await createAdmin({ isActive: false });
    const right = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
    expect(right.status).toBe(403);
    expect(await right.text()).toBe('{"detail":"Account disabled"}');
    const wrong = await postJson(`${PREFIX}/login`, { email: admin.email, password: "nope" });
    expect(wrong.status).toBe(401);
  });

  it("stores no token, only identifiers", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    const dump = JSON.stringify(await env.DB.prepare("SELECT * FROM sessions").all());
    expect(dump).not.toContain(tokens.refresh_token);
    expect(dump).not.toContain(tokens.access_token);
    expect(dump).not.toContain(tokens.refresh_token.split(".")[2]);
  });
});

describe("me", () => {
  it("returns the admin behind an access token", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    const response = await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(tokens.user);
  });

  it("accepts the scheme in any case", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await call(`${PREFIX}/me`, { headers: { authorization: `bEaReR ${tokens.access_token}` } });
    expect(response.status).toBe(200);
  });

  it.each([
    ["no header", {}],
    ["another scheme", { authorization: "Basic YWRtaW46cHc=" }],
    ["an empty token", { authorization: "Bearer " }],
    ["a bare scheme", { authorization: "Bearer" }],
  ])("is not authenticated with %s", async (_name, headers) => {
    const response = await call(`${PREFIX}/me`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect(await response.text()).toBe('{"detail":"Not authenticated"}');
  });

  it("refuses a refresh token as an access token", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await call(`${PREFIX}/me`, { headers: bearer(tokens.refresh_token) });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"detail":"Could not validate credentials"}');
  });
});

describe("refresh", () => {
  it("rotates: the new pair works, the old refresh token does not", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const rotated = await response.json<Record<string, unknown>>();
    expect(Object.keys(rotated)).toEqual(["access_token", "refresh_token", "token_type", "expires_in"]);
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    const me = await call(`${PREFIX}/me`, { headers: bearer(rotated.access_token as string) });
    expect(me.status).toBe(200);
    const again = await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token });
    expect(again.status).toBe(401);
    expect(again.headers.get("www-authenticate")).toBe("Bearer");
    expect(await again.text()).toBe('{"detail":"Invalid refresh token"}');
  });

  it("refuses an access token as a refresh token", async () => {
    const tokens = await loginAs(await createAdmin());
    const response = await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.access_token });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"detail":"Invalid refresh token"}');
  });

  it("lets exactly one of many concurrent refreshes of one token win", async () => {
    const tokens = await loginAs(await createAdmin());
    const responses = await Promise.all(Array.from({ length: 8 }, () => postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    // The losers raced inside the reuse interval: the session survives, the winner's token works.
    const winner = await responses.find((response) => response.status === 200)?.json<{ refresh_token: string }>();
    const next = await postJson(`${PREFIX}/refresh`, { refresh_token: winner?.refresh_token });
    expect(next.status).toBe(200);
  });
});

describe("logout", () => {
  it("revokes its own session and no other", async () => {
    const admin = await createAdmin();
    const first = await loginAs(admin);
    const second = await loginAs(admin);
    const response = await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(first.access_token) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"message":"Successfully logged out"}');

    expect((await call(`${PREFIX}/me`, { headers: bearer(first.access_token) })).status).toBe(401);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).status).toBe(401);
    expect((await call(`${PREFIX}/me`, { headers: bearer(second.access_token) })).status).toBe(200);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: second.refresh_token })).status).toBe(200);
  });

  it("writes the revocation to KV with the session's remaining life", async () => {
    const tokens = await loginAs(await createAdmin());
    const sid = decodeJwt(tokens.access_token).sid as string;
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    await vi.waitFor(async () => expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBe("logout"));
    const { keys } = await env.REVOCATIONS.list({ prefix: `revoked-session:${sid}` });
    const expiresIn = (keys[0]?.expiration ?? 0) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(604_800 - 60);
    expect(expiresIn).toBeLessThanOrEqual(604_800 + 1);
  });

  it("refuses a second logout with the same token", async () => {
    const tokens = await loginAs(await createAdmin());
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    const again = await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    expect(again.status).toBe(401);
    expect(await again.text()).toBe('{"detail":"Could not validate credentials"}');
  });
});
