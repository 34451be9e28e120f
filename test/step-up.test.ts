import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditTrail } from "./support/mfa.ts";
import { adminWithPasskey } from "./support/passkeys.ts";
import { forgeToken, sidOf } from "./support/tokens.ts";
import { bearer, call, createAdmin, loginAs, PREFIX, postJson } from "./support/worker.ts";

// The first passkey route loads @simplewebauthn/server through Vite's transform: slow once, on a busy machine.
beforeAll(() => import("@simplewebauthn/server"), 60_000);

const MAX_AGE = Number(env.REAUTH_MAX_AGE);
const STEP_UP_BODY = '{"detail":"Recent authentication required"}';
const STEP_UP_CHALLENGE = `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${MAX_AGE}`;

/** The seven routes of contract-passkeys.md §3, each with a body its fields would refuse (step-up comes first). */
const STEP_UP_ROUTES: [string, string, unknown][] = [
  ["POST", "/mfa/totp/setup", undefined],
  ["POST", "/mfa/totp/confirm", {}],
  ["POST", "/mfa/totp/disable", {}],
  ["POST", "/passkeys/register/options", undefined],
  ["POST", "/passkeys/register/verify", {}],
  ["DELETE", "/passkeys/some-passkey", undefined],
  ["POST", "/passkeys/only", {}],
];

function send(token: string, [method, path, body]: [string, string, unknown]): Promise<Response> {
  const headers = { ...bearer(token), ...(body === undefined ? {} : { "content-type": "application/json" }) };
  return call(PREFIX + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function expectStepUp(response: Response) {
  expect([response.status, response.headers.get("www-authenticate"), await response.text()]).toEqual([401, STEP_UP_CHALLENGE, STEP_UP_BODY]);
}

/** Moves the clock the worker and the test share. */
function later(seconds: number) {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + seconds * 1000 });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("step-up (RFC 9470)", () => {
  it("tokens carry auth_time, the sign-in's time, and a refresh keeps it", async () => {
    const tokens = await loginAs(await createAdmin());
    const authTime = decodeJwt(tokens.access_token).auth_time;
    expect(Math.abs(Number(authTime) - Date.now() / 1000)).toBeLessThan(5);
    expect(decodeJwt(tokens.refresh_token).auth_time).toBe(authTime);
    later(120);
    const refreshed = await (await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).json<{
      access_token: string;
      refresh_token: string;
    }>();
    expect(decodeJwt(refreshed.access_token).auth_time).toBe(authTime);
    expect(decodeJwt(refreshed.refresh_token).auth_time).toBe(authTime);
  });

  it.each(STEP_UP_ROUTES.map((route) => [`${route[0]} ${route[1]}`, route] as const))(
    "%s: a sign-in older than REAUTH_MAX_AGE is 401 with the RFC 9470 challenge, before the body is validated",
    async (_name, route) => {
      const admin = await createAdmin();
      const { access_token } = await loginAs(admin);
      later(MAX_AGE + 1);
      await expectStepUp(await send(access_token, route));
      expect(await auditTrail(admin.id)).toContain("reauth_required");
    },
  );

  it("a sign-in exactly REAUTH_MAX_AGE old still passes; signing in again answers the challenge", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    later(MAX_AGE);
    expect((await send(access_token, ["POST", "/passkeys/register/options", undefined])).status).toBe(200);
    later(1);
    await expectStepUp(await send(access_token, ["POST", "/passkeys/register/options", undefined]));
    const fresh = await loginAs(admin);
    expect((await send(fresh.access_token, ["POST", "/passkeys/register/options", undefined])).status).toBe(200);
  });

  it("a refresh does not make a sign-in recent", async () => {
    const tokens = await loginAs(await createAdmin());
    later(MAX_AGE + 1);
    const refreshed = await (await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).json<{ access_token: string }>();
    await expectStepUp(await send(refreshed.access_token, ["POST", "/mfa/totp/setup", undefined]));
  });

  it("a session opened before auth_time was recorded counts as old, and so does a token without auth_time", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    await env.DB.prepare("UPDATE sessions SET auth_time = NULL WHERE id = ?").bind(sidOf(tokens.access_token)).run();
    const refreshed = await (await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).json<{ access_token: string }>();
    expect(decodeJwt(refreshed.access_token).auth_time).toBeUndefined();
    for (const route of STEP_UP_ROUTES) await expectStepUp(await send(refreshed.access_token, route));
    // The same token still does everything else.
    expect((await call(`${PREFIX}/me`, { headers: bearer(refreshed.access_token) })).status).toBe(200);
    const forged = await forgeToken({ claims: { sub: admin.id, sid: sidOf(tokens.access_token), amr: ["pwd"] } });
    await expectStepUp(await send(forged, ["POST", "/mfa/totp/setup", undefined]));
  });

  it("a token whose auth_time is not whole seconds is no token of ours", async () => {
    const admin = await createAdmin();
    const tokens = await loginAs(admin);
    const forged = await forgeToken({ claims: { sub: admin.id, sid: sidOf(tokens.access_token), amr: ["pwd"], auth_time: "now" } });
    const response = await call(`${PREFIX}/me`, { headers: bearer(forged) });
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Could not validate credentials"}']);
  });

  it("a dead session gets the ordinary 401, not the step-up one", async () => {
    const tokens = await loginAs(await createAdmin());
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    later(MAX_AGE + 1);
    const response = await send(tokens.access_token, ["POST", "/mfa/totp/setup", undefined]);
    expect([response.status, response.headers.get("www-authenticate"), await response.text()]).toEqual([
      401,
      "Bearer",
      '{"detail":"Could not validate credentials"}',
    ]);
  });

  it("/password needs no recent sign-in: it asks for the current password itself", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    later(MAX_AGE + 1);
    const response = await postJson(`${PREFIX}/password`, { current_password: admin.password, new_password: "another long passphrase" }, bearer(access_token));
    expect(response.status).toBe(200);
  });

  it("a passkey-only admin's password change needs a recent sign-in, asked before the password, and opens no fresher one", async () => {
    const admin = await createAdmin();
    const { login } = await adminWithPasskey(admin);
    expect((await send(login.access_token, ["POST", "/passkeys/only", { enabled: true }])).status).toBe(200);
    const change = { current_password: admin.password, new_password: "the thief's own passphrase" };
    const changed = await (await postJson(`${PREFIX}/password`, change, bearer(login.access_token))).json<{ access_token: string }>();
    expect(decodeJwt(changed.access_token).auth_time).toBe(decodeJwt(login.access_token).auth_time);

    // Later, a stolen token and a phished password: refused before the password is checked, nothing changed or counted.
    later(MAX_AGE + 1);
    await expectStepUp(await postJson(`${PREFIX}/password`, { ...change, current_password: change.new_password }, bearer(changed.access_token)));
    await expectStepUp(await postJson(`${PREFIX}/password`, { ...change, current_password: "a wrong guess" }, bearer(changed.access_token)));
    expect((await call(`${PREFIX}/me`, { headers: bearer(changed.access_token) })).status).toBe(200);
    const throttle = await env.DB.prepare("SELECT failures FROM login_throttle WHERE email = ?").bind(admin.email.toLowerCase()).first<{ failures: number }>();
    expect(throttle?.failures ?? 0).toBe(0);
  });
});
