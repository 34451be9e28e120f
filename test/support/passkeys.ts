import { env } from "cloudflare:workers";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { components } from "./admin-api.d.ts";
import { type AssertionKnobs, type RegistrationKnobs, SoftwareAuthenticator } from "./software-authenticator.ts";
import { bearer, call, type LoginBody, loginAs, PREFIX, postJson, type TestAdmin } from "./worker.ts";

/** The origin the worker's configuration allows (wrangler.toml's local WEBAUTHN_ORIGINS). */
export const PANEL_ORIGIN = env.WEBAUTHN_ORIGINS;

/** A passkey provider on the admin panel's page. */
export function authenticator(): SoftwareAuthenticator {
  return new SoftwareAuthenticator(PANEL_ORIGIN);
}

export async function registrationOptions(accessToken: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const response = await call(`${PREFIX}/passkeys/register/options`, { method: "POST", headers: bearer(accessToken) });
  if (response.status !== 200) throw new Error(`register/options: ${response.status} ${await response.text()}`);
  return response.json();
}

export function verifyRegistration(accessToken: string, response: RegistrationResponseJSON, name?: string | null): Promise<Response> {
  return postJson(`${PREFIX}/passkeys/register/verify`, name === undefined ? { response } : { response, name }, bearer(accessToken));
}

/** A passkey as the API answers it, in the client types generated from /openapi.json. */
export type RegisteredPasskey = components["schemas"]["Passkey"];

/** The admin panel's registration: options, the authenticator's `create`, verify. */
export async function registerPasskey(
  accessToken: string,
  device = authenticator(),
  knobs: RegistrationKnobs = {},
  name?: string,
): Promise<{ passkey: RegisteredPasskey; device: SoftwareAuthenticator }> {
  const options = await registrationOptions(accessToken);
  const verify = await verifyRegistration(accessToken, await device.create(options, knobs), name);
  if (verify.status !== 200) throw new Error(`register/verify: ${verify.status} ${await verify.text()}`);
  return { passkey: await verify.json(), device };
}

export async function signInOptions(headers: Record<string, string> = {}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const response = await call(`${PREFIX}/passkeys/login/options`, { method: "POST", headers });
  if (response.status !== 200) throw new Error(`login/options: ${response.status} ${await response.text()}`);
  return response.json();
}

export function verifySignIn(response: AuthenticationResponseJSON | Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${PREFIX}/passkeys/login/verify`, { response }, headers);
}

/** An assertion for fresh sign-in options. */
export async function assertion(device: SoftwareAuthenticator, knobs: AssertionKnobs = {}): Promise<AuthenticationResponseJSON> {
  return device.get(await signInOptions(), knobs);
}

export async function signInWith(device: SoftwareAuthenticator, knobs: AssertionKnobs = {}): Promise<LoginBody> {
  const response = await verifySignIn(await assertion(device, knobs));
  if (response.status !== 200) throw new Error(`login/verify: ${response.status} ${await response.text()}`);
  return response.json();
}

/** An admin who signed in with their password and registered one passkey. */
export async function adminWithPasskey(admin: TestAdmin) {
  const login = await loginAs(admin);
  const { passkey, device } = await registerPasskey(login.access_token);
  return { login, passkey, device };
}

export async function passkeyRow(id: string) {
  return env.DB.prepare("SELECT counter, last_used_at, admin_id, credential_id FROM passkeys WHERE id = ?")
    .bind(id)
    .first<{ counter: number; last_used_at: number | null; admin_id: string; credential_id: string }>();
}

export async function sessionCount(adminId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE admin_id = ?").bind(adminId).first<{ n: number }>();
  return row?.n ?? 0;
}
