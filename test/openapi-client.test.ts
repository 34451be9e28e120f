import { exports } from "cloudflare:workers";
import createClient from "openapi-fetch";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components, paths } from "./support/admin-api.d.ts";
import { authenticator } from "./support/passkeys.ts";
import { BASE_URL, createAdmin, PREFIX, randomClientIp } from "./support/worker.ts";

type Schemas = components["schemas"];

/**
 * The admin panel's client as its developers build it: openapi-fetch over the
 * types openapi-typescript generates from /openapi.json (`npm run
 * client-types`), sending to the real worker. The `expectTypeOf` lines are
 * checked by `npm run typecheck`, under the strict test tsconfig.
 */
function panelClient() {
  let accessToken: string | undefined;
  const client = createClient<paths>({ baseUrl: BASE_URL, fetch: (request) => exports.default.fetch(request) });
  client.use({
    onRequest({ request }) {
      // Its own client IP, as support/worker.ts's `call` gives every request, for the per-IP login limit.
      request.headers.set("cf-connecting-ip", randomClientIp());
      if (accessToken !== undefined) request.headers.set("authorization", `Bearer ${accessToken}`);
      return request;
    },
  });
  return {
    client,
    signIn(token: string) {
      accessToken = token;
    },
  };
}

describe("a client generated from /openapi.json", () => {
  it("logs in, reads /me, refreshes and logs out, with typed bodies", async () => {
    const admin = await createAdmin();
    const { client, signIn } = panelClient();

    const login = await client.POST(`${PREFIX}/login`, { body: { email: admin.email, password: admin.password } });
    expect(login.response.status).toBe(200);
    if (login.data === undefined) throw new Error(`login failed: ${JSON.stringify(login.error)}`);
    expectTypeOf(login.data).toEqualTypeOf<Schemas["scaikey__api__v1__admin__auth__LoginResponse"]>();
    expectTypeOf(login.data.access_token).toEqualTypeOf<string>();
    expectTypeOf(login.data.token_type).toEqualTypeOf<"bearer">();
    expect(login.data.token_type).toBe("bearer");
    expect(login.data.expires_in).toBe(900);
    expect(login.data.user.email).toBe(admin.email);
    expect(login.data.user.mfa_enabled).toBe(false);
    signIn(login.data.access_token);

    const me = await client.GET(`${PREFIX}/me`);
    expect(me.response.status).toBe(200);
    if (me.data === undefined) throw new Error(`/me failed: ${JSON.stringify(me.error)}`);
    expectTypeOf(me.data).toEqualTypeOf<Schemas["AdminUser"]>();
    expectTypeOf(me.data.last_login_at).toEqualTypeOf<string | null>();
    expect(me.data).toEqual(login.data.user);

    const refresh = await client.POST(`${PREFIX}/refresh`, { body: { refresh_token: login.data.refresh_token } });
    expect(refresh.response.status).toBe(200);
    if (refresh.data === undefined) throw new Error(`refresh failed: ${JSON.stringify(refresh.error)}`);
    expectTypeOf(refresh.data).toEqualTypeOf<Schemas["scaikey__api__v1__me__auth__RefreshResponse"]>();
    expect(refresh.data.refresh_token).not.toBe(login.data.refresh_token);
    expect(refresh.data.expires_in).toBe(900);
    signIn(refresh.data.access_token);

    const logout = await client.POST(`${PREFIX}/logout`);
    expect(logout.response.status).toBe(200);
    expectTypeOf(logout.data).toEqualTypeOf<Schemas["LogoutResponse"] | undefined>();
    expect(logout.data).toEqual({ message: "Successfully logged out" });

    const after = await client.GET(`${PREFIX}/me`);
    expect(after.response.status).toBe(401);
    expect(after.data).toBeUndefined();
    expect(after.error).toEqual({ detail: "Could not validate credentials" });
  });

  it("reads a 401 as HTTPError and a 422 as a list of ValidationError", async () => {
    const admin = await createAdmin();
    const { client } = panelClient();

    const wrong = await client.POST(`${PREFIX}/login`, { body: { email: admin.email, password: "not the password" } });
    expect(wrong.response.status).toBe(401);
    // openapi-fetch types `error` as any of the route's error bodies: HTTPError's string or the 422 list.
    expectTypeOf(wrong.error?.detail).toExtend<string | Schemas["ValidationError"][] | undefined>();
    expect(wrong.error).toEqual({ detail: "Incorrect email or password" });

    const invalid = await client.POST(`${PREFIX}/login`, { body: { email: "nope", password: "x" } });
    expect(invalid.response.status).toBe(422);
    const detail = invalid.error?.detail;
    if (!Array.isArray(detail)) throw new Error(`expected a validation error list: ${JSON.stringify(invalid.error)}`);
    // The named component, as FastAPI's document gives clients, rather than an anonymous object.
    expectTypeOf(detail).toExtend<Schemas["ValidationError"][]>();
    expectTypeOf(detail[0]?.loc).toEqualTypeOf<(string | number)[] | undefined>();
    expectTypeOf(detail[0]?.msg).toEqualTypeOf<string | undefined>();
    expect(detail).toEqual([
      {
        type: "value_error",
        loc: ["body", "email"],
        msg: "value is not a valid email address: An email address must have an @-sign.",
        input: "nope",
        ctx: { reason: "An email address must have an @-sign." },
      },
    ]);
  });

  it("lists and ends sessions, signs out elsewhere and changes the password, typed", async () => {
    const admin = await createAdmin();
    const { client, signIn } = panelClient();
    const other = await client.POST(`${PREFIX}/login`, { body: { email: admin.email, password: admin.password } });
    const login = await client.POST(`${PREFIX}/login`, { body: { email: admin.email, password: admin.password } });
    if (login.data === undefined || other.data === undefined) throw new Error("login failed");
    signIn(login.data.access_token);

    const sessions = await client.GET(`${PREFIX}/sessions`);
    if (sessions.data === undefined) throw new Error(`sessions failed: ${JSON.stringify(sessions.error)}`);
    expectTypeOf(sessions.data).toEqualTypeOf<Schemas["AdminSession"][]>();
    expectTypeOf(sessions.data[0]?.ip).toEqualTypeOf<string | null | undefined>();
    expect(sessions.data.map((session) => session.current)).toEqual([true, false]);
    const otherId = sessions.data[1]?.id ?? "";

    const ended = await client.DELETE(`${PREFIX}/sessions/{id}`, { params: { path: { id: otherId } } });
    expectTypeOf(ended.data).toEqualTypeOf<Schemas["SessionRevokeResponse"] | undefined>();
    expect(ended.data).toEqual({ message: "Session revoked" });
    const again = await client.DELETE(`${PREFIX}/sessions/{id}`, { params: { path: { id: otherId } } });
    expect([again.response.status, again.error]).toEqual([404, { detail: "Not Found" }]);

    const elsewhere = await client.POST(`${PREFIX}/logout`, { params: { query: { scope: "others" } } });
    expect(elsewhere.data).toEqual({ message: "Successfully logged out" });

    const changed = await client.POST(`${PREFIX}/password`, { body: { current_password: admin.password, new_password: "a new passphrase" } });
    expectTypeOf(changed.data).toEqualTypeOf<Schemas["PasswordChangeResponse"] | undefined>();
    if (changed.data === undefined) throw new Error(`password change failed: ${JSON.stringify(changed.error)}`);
    expect(changed.data).toMatchObject({ message: "Password changed", token_type: "bearer" });
    // The change ended this session too: the panel swaps in the new session's tokens.
    expect((await client.GET(`${PREFIX}/me`)).response.status).toBe(401);
    signIn(changed.data.access_token);
    const after = await client.GET(`${PREFIX}/sessions`);
    expect(after.data?.map((session) => [session.current, session.amr])).toEqual([[true, ["pwd"]]]);
  });

  it("registers a passkey, signs in with it, lists, renames, turns passkey-only on and off and removes it, typed", async () => {
    const admin = await createAdmin();
    const { client, signIn } = panelClient();
    const login = await client.POST(`${PREFIX}/login`, { body: { email: admin.email, password: admin.password } });
    if (login.data === undefined) throw new Error("login failed");
    expectTypeOf(login.data.user.passkey_only).toEqualTypeOf<boolean>();
    signIn(login.data.access_token);

    const device = authenticator();
    const options = await client.POST(`${PREFIX}/passkeys/register/options`);
    if (options.data === undefined) throw new Error(`register/options failed: ${JSON.stringify(options.error)}`);
    expectTypeOf(options.data).toEqualTypeOf<Schemas["PasskeyRegistrationOptions"]>();
    const credential = await device.create(options.data);
    const registered = await client.POST(`${PREFIX}/passkeys/register/verify`, { body: { response: { ...credential }, name: "Laptop" } });
    if (registered.data === undefined) throw new Error(`register/verify failed: ${JSON.stringify(registered.error)}`);
    expectTypeOf(registered.data).toEqualTypeOf<Schemas["Passkey"]>();
    expect(registered.data.name).toBe("Laptop");

    const signInOptions = await client.POST(`${PREFIX}/passkeys/login/options`);
    if (signInOptions.data === undefined) throw new Error("login/options failed");
    expectTypeOf(signInOptions.data).toEqualTypeOf<Schemas["PasskeySignInOptions"]>();
    const { allowCredentials: _none, ...requestOptions } = signInOptions.data;
    const passkeyLogin = await client.POST(`${PREFIX}/passkeys/login/verify`, { body: { response: { ...(await device.get(requestOptions)) } } });
    if (passkeyLogin.data === undefined) throw new Error(`login/verify failed: ${JSON.stringify(passkeyLogin.error)}`);
    expectTypeOf(passkeyLogin.data).toEqualTypeOf<Schemas["scaikey__api__v1__admin__auth__LoginResponse"]>();
    signIn(passkeyLogin.data.access_token);

    const listed = await client.GET(`${PREFIX}/passkeys`);
    expectTypeOf(listed.data).toEqualTypeOf<Schemas["Passkey"][] | undefined>();
    expect(listed.data?.map((passkey) => passkey.id)).toEqual([registered.data.id]);
    const path = { params: { path: { id: registered.data.id } } };
    const renamed = await client.PATCH(`${PREFIX}/passkeys/{id}`, { ...path, body: { name: "Phone" } });
    expect(renamed.data?.name).toBe("Phone");
    const only = await client.POST(`${PREFIX}/passkeys/only`, { body: { enabled: true } });
    expectTypeOf(only.data).toEqualTypeOf<Schemas["PasskeyOnlyResponse"] | undefined>();
    expect(only.data).toEqual({ passkey_only: true });
    expect((await client.POST(`${PREFIX}/passkeys/only`, { body: { enabled: false } })).data).toEqual({ passkey_only: false });
    const removed = await client.DELETE(`${PREFIX}/passkeys/{id}`, path);
    expect(removed.data).toEqual({ message: "Passkey removed" });
    // The removed passkey had opened this session: it ended with it.
    expect((await client.GET(`${PREFIX}/passkeys`)).error).toEqual({ detail: "Could not validate credentials" });
  });
});
