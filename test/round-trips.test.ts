import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { countingBindings, type RoundTrips } from "./support/counting-bindings.ts";
import { enrol, totpCode } from "./support/mfa.ts";
import { adminWithPasskey, authenticator, registrationOptions, signInOptions } from "./support/passkeys.ts";
import { BASE_URL, bearer, createAdmin, loginAs, PREFIX, postJson, randomClientIp } from "./support/worker.ts";

/** One request through the worker with counting bindings; deferred KV writes are waited for and counted. */
async function measure(path: string, init: RequestInit): Promise<{ status: number; trips: RoundTrips; batchSizes: number[]; body: string }> {
  const { bindings, trips, batchSizes } = countingBindings();
  const request = new Request(BASE_URL + path, init);
  if (!request.headers.has("cf-connecting-ip")) request.headers.set("cf-connecting-ip", randomClientIp());
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...bindings }, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, trips, batchSizes, body };
}

const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Each D1 or KV call from a far location is a network round trip: these are the budgets per route. */
describe("round trips per request", () => {
  const signIn = { primary: 1, replica: 1, kvReads: 0, kvWrites: 0 };

  it("login: one replica read and one primary batch, no KV", async () => {
    const admin = await createAdmin();
    expect(await measure(`${PREFIX}/login`, json({ email: admin.email, password: admin.password }))).toMatchObject({ status: 200, trips: signIn });
  });

  it("login from IPv6: counted per /64 and per /48 by the rate limiters, which are no D1 or KV round trip", async () => {
    const admin = await createAdmin();
    const init = json({ email: admin.email, password: admin.password });
    expect(await measure(`${PREFIX}/login`, { ...init, headers: { ...init.headers, "cf-connecting-ip": "2001:db8:4e::1" } })).toMatchObject({
      status: 200,
      trips: signIn,
    });
  });

  it("login failure: the same read and batch as a success, whether or not the admin exists", async () => {
    const admin = await createAdmin();
    for (const email of [admin.email, `ghost-${crypto.randomUUID()}@example.com`]) {
      expect(await measure(`${PREFIX}/login`, json({ email, password: "wrong password" }))).toMatchObject({ status: 401, trips: signIn });
    }
  });

  it("login failure and lockout: the same statements in each batch, whether or not the admin exists", async () => {
    const admin = await createAdmin();
    const ghost = `ghost-${crypto.randomUUID()}@example.com`;
    const batchesOf = async (email: string) => {
      const failures: number[][] = [];
      for (let i = 0; i < 6; i++) {
        const { trips, batchSizes } = await measure(`${PREFIX}/login`, json({ email, password: `wrong ${i}` }));
        expect(trips).toEqual(signIn);
        failures.push(batchSizes);
      }
      return failures;
    };
    const known = await batchesOf(admin.email);
    // Five failures (the fifth sets the lock), then one the lock refuses: the same read, and one batch each.
    expect(known).toEqual([...Array(5).fill(known[0]), known[5]]);
    expect(await batchesOf(ghost)).toEqual(known);
  });

  it("login of every other kind: a disabled admin, passkey-only, MFA with any code or none, one read and one batch", async () => {
    const disabled = await createAdmin({ isActive: false });
    expect(await measure(`${PREFIX}/login`, json({ email: disabled.email, password: disabled.password }))).toMatchObject({ status: 403, trips: signIn });
    const passkeyOnly = await createAdmin();
    await env.DB.prepare("UPDATE admins SET passkey_only = 1 WHERE id = ?").bind(passkeyOnly.id).run();
    expect(await measure(`${PREFIX}/login`, json({ email: passkeyOnly.email, password: passkeyOnly.password }))).toMatchObject({
      status: 401,
      trips: signIn,
    });

    const admin = await createAdmin();
    const { secret, recoveryCodes } = await enrol(admin);
    const login = (mfaCode?: string) => measure(`${PREFIX}/login`, json({ email: admin.email, password: admin.password, mfa_code: mfaCode }));
    expect(await login(await totpCode(secret, Date.now(), 1))).toMatchObject({ status: 200, trips: signIn });
    expect(await login(recoveryCodes[0])).toMatchObject({ status: 200, trips: signIn });
    expect(await login("000000")).toMatchObject({ status: 401, trips: signIn });
    expect(await login(recoveryCodes[0])).toMatchObject({ status: 401, trips: signIn });
    // No code: the question needs no write, but its answer is still the primary's.
    expect(await login()).toMatchObject({ status: 401, trips: signIn });
  });

  it("MFA setup: one D1 batch; confirm and disable: two, and a KV write per other session they revoke", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    await loginAs(admin);
    const setup = await measure(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(access_token) });
    expect(setup).toMatchObject({ status: 200, trips: { primary: 1, replica: 0, kvReads: 0, kvWrites: 0 } });
    const { secret } = JSON.parse(setup.body) as { secret: string };
    const withCode = (code: string): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(access_token) },
      body: JSON.stringify({ code }),
    });
    const confirm = await measure(`${PREFIX}/mfa/totp/confirm`, withCode(await totpCode(secret)));
    expect(confirm).toMatchObject({ status: 200, trips: { primary: 2, replica: 0, kvReads: 0, kvWrites: 1 } });
    const { recovery_codes } = JSON.parse(confirm.body) as { recovery_codes: string[] };
    await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password, mfa_code: recovery_codes[0] });
    expect(await measure(`${PREFIX}/mfa/totp/disable`, withCode("000000"))).toMatchObject({
      status: 400,
      trips: { primary: 2, replica: 0, kvReads: 0, kvWrites: 0 },
    });
    expect(await measure(`${PREFIX}/mfa/totp/disable`, withCode(recovery_codes[1] ?? ""))).toMatchObject({
      status: 200,
      trips: { primary: 2, replica: 0, kvReads: 0, kvWrites: 1 },
    });
  });

  it("refresh: one KV read and one D1 batch; a KV write only when it revokes", async () => {
    const tokens = await loginAs(await createAdmin());
    const refresh = () => measure(`${PREFIX}/refresh`, json({ refresh_token: tokens.refresh_token }));
    expect(await refresh()).toMatchObject({ status: 200, trips: { primary: 1, replica: 0, kvReads: 1, kvWrites: 0 } });
    // Presented again at once: a racing tab's, refused by D1 without revoking.
    expect(await refresh()).toMatchObject({ status: 401, trips: { primary: 1, replica: 0, kvReads: 1, kvWrites: 0 } });
    await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - 60000 WHERE id = ?").bind(decodeJwt(tokens.refresh_token).sid).run();
    // Again after REFRESH_REUSE_INTERVAL: a replay, which revokes the session, and its KV copy.
    expect(await refresh()).toMatchObject({ status: 401, trips: { primary: 1, replica: 0, kvReads: 1, kvWrites: 1 } });
    // The session revoked, this edge's KV refuses without D1.
    expect(await refresh()).toMatchObject({ status: 401, trips: { primary: 0, replica: 0, kvReads: 1, kvWrites: 0 } });
  });

  it("me: one KV read and one D1 read", async () => {
    const tokens = await loginAs(await createAdmin());
    expect(await measure(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).toMatchObject({
      status: 200,
      trips: { primary: 0, replica: 1, kvReads: 1, kvWrites: 0 },
    });
  });

  it("logout: one D1 batch and one KV write", async () => {
    const tokens = await loginAs(await createAdmin());
    expect(await measure(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) })).toMatchObject({
      status: 200,
      trips: { primary: 1, replica: 0, kvReads: 0, kvWrites: 1 },
    });
  });

  it("password change: two D1 batches and a KV write per session it ends, the caller's too; a wrong password, the two batches", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    await loginAs(admin);
    await loginAs(admin);
    const change = (current: string) =>
      measure(`${PREFIX}/password`, {
        ...json({ current_password: current, new_password: "a new passphrase" }),
        headers: { "content-type": "application/json", ...bearer(access_token) },
      });
    expect(await change("wrong")).toMatchObject({ status: 400, trips: { primary: 2, replica: 0, kvReads: 0, kvWrites: 0 } });
    expect(await change(admin.password)).toMatchObject({ status: 200, trips: { primary: 2, replica: 0, kvReads: 0, kvWrites: 3 } });
  });

  it("sessions: one KV read and one D1 read; ending one: one D1 batch and one KV write", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    const other = await loginAs(admin);
    const list = await measure(`${PREFIX}/sessions`, { headers: bearer(tokens.access_token) });
    expect(list).toMatchObject({ status: 200, trips: { primary: 0, replica: 1, kvReads: 1, kvWrites: 0 } });
    const otherId = (JSON.parse(list.body) as { id: string; current: boolean }[]).find((session) => !session.current)?.id;
    expect(otherId).toBe(decodeJwt(other.access_token).sid);
    expect(await measure(`${PREFIX}/sessions/${otherId}`, { method: "DELETE", headers: bearer(tokens.access_token) })).toMatchObject({
      status: 200,
      trips: { primary: 1, replica: 0, kvReads: 0, kvWrites: 1 },
    });
  });

  it("logout of other sessions or all: one D1 batch and a KV write per session ended", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    await loginAs(admin);
    await loginAs(admin);
    const logout = (scope: string) => measure(`${PREFIX}/logout?scope=${scope}`, { method: "POST", headers: bearer(tokens.access_token) });
    expect(await logout("others")).toMatchObject({ status: 200, trips: { primary: 1, replica: 0, kvReads: 0, kvWrites: 2 } });
    await loginAs(admin);
    expect(await logout("global")).toMatchObject({ status: 200, trips: { primary: 1, replica: 0, kvReads: 0, kvWrites: 2 } });
  });

  it("passkey sign-in options: no storage at all; verify: one replica read and one primary batch, and a refusal its tally", async () => {
    const zero = { primary: 0, replica: 0, kvReads: 0, kvWrites: 0 };
    const options = await measure(`${PREFIX}/passkeys/login/options`, { method: "POST" });
    expect(options).toMatchObject({ status: 200, trips: zero });
    const { device } = await adminWithPasskey(await createAdmin());
    const assertion = await device.get(await signInOptions());
    const verify = (body: unknown) => measure(`${PREFIX}/passkeys/login/verify`, json({ response: body }));
    expect(await verify(assertion)).toMatchObject({ status: 200, trips: { primary: 1, replica: 1, kvReads: 0, kvWrites: 0 } });
    // A refusal adds one write, the client's hourly tally: unauthenticated load grows one row per client and hour.
    expect(await verify(assertion)).toMatchObject({ status: 401, trips: { primary: 2, replica: 1, kvReads: 0, kvWrites: 0 } });
    expect(await verify(await device.get(await signInOptions(), { foreignKey: true }))).toMatchObject({
      status: 401,
      trips: { primary: 1, replica: 1, kvReads: 0, kvWrites: 0 },
    });
  });

  it("passkey registration: options one KV read and one replica batch; verify those and one primary batch", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const options = await measure(`${PREFIX}/passkeys/register/options`, { method: "POST", headers: bearer(access_token) });
    expect(options).toMatchObject({ status: 200, trips: { primary: 0, replica: 1, kvReads: 1, kvWrites: 0 } });
    const registration = await authenticator().create(await registrationOptions(access_token));
    const verify = await measure(`${PREFIX}/passkeys/register/verify`, {
      ...json({ response: registration }),
      headers: { "content-type": "application/json", ...bearer(access_token) },
    });
    expect(verify).toMatchObject({ status: 200, trips: { primary: 1, replica: 1, kvReads: 1, kvWrites: 0 } });
  });

  it("passkey list: one KV read and one replica batch; rename, remove, passkey-only: one primary batch", async () => {
    const { login, passkey } = await adminWithPasskey(await createAdmin());
    const headers = { "content-type": "application/json", ...bearer(login.access_token) };
    const oneBatch = { primary: 1, replica: 0, kvReads: 0, kvWrites: 0 };
    expect(await measure(`${PREFIX}/passkeys`, { headers })).toMatchObject({ status: 200, trips: { primary: 0, replica: 1, kvReads: 1, kvWrites: 0 } });
    expect(await measure(`${PREFIX}/passkeys/${passkey.id}`, { method: "PATCH", headers, body: JSON.stringify({ name: "Renamed" }) })).toMatchObject({
      status: 200,
      trips: oneBatch,
    });
    expect(await measure(`${PREFIX}/passkeys/only`, { method: "POST", headers, body: JSON.stringify({ enabled: false }) })).toMatchObject({
      status: 200,
      trips: oneBatch,
    });
    expect(await measure(`${PREFIX}/passkeys/${passkey.id}`, { method: "DELETE", headers })).toMatchObject({ status: 200, trips: oneBatch });
  });

  it("a refused request costs no storage at all", async () => {
    const zero = { primary: 0, replica: 0, kvReads: 0, kvWrites: 0 };
    expect((await measure(`${PREFIX}/me`, { headers: bearer("not.a.token") })).trips).toEqual(zero);
    expect((await measure(`${PREFIX}/login`, json({ email: "not-an-email", password: "x" }))).trips).toEqual(zero);
    expect((await measure(`${PREFIX}/refresh`, json({ refresh_token: "garbage" }))).trips).toEqual(zero);
  });
});
