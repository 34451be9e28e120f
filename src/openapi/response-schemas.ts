import * as z from "zod/mini";

/** Response shapes, for the OpenAPI document only: the worker writes these bodies itself. */
export const AdminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  is_active: z.boolean(),
  created_at: z.string(),
  last_login_at: z.nullable(z.string()),
  mfa_enabled: z.boolean(),
  passkey_only: z.boolean(),
});

const tokenPair = {
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number(),
};

export const LoginResponse = z.object({ ...tokenPair, user: AdminUser });
export const RefreshResponse = z.object(tokenPair);
export const LogoutResponse = z.object({ message: z.string() });

export const TotpSetupResponse = z.object({ secret: z.string(), otpauth_uri: z.string() });
export const TotpConfirmResponse = z.object({ recovery_codes: z.array(z.string()) });
export const TotpDisableResponse = z.object({ message: z.string() });

/** The new session's tokens: the change ended every session of the admin, the caller's too. */
export const PasswordChangeResponse = z.object({ message: z.string(), ...tokenPair });

/** One entry of `GET /sessions`: never a token or a `jti`. */
export const AdminSession = z.object({
  id: z.string(),
  created_at: z.string(),
  last_used_at: z.string(),
  expires_at: z.string(),
  ip: z.nullable(z.string()),
  user_agent: z.nullable(z.string()),
  amr: z.array(z.string()),
  current: z.boolean(),
});
export const SessionRevokeResponse = z.object({ message: z.string() });

/** A passkey as listed: never its public key or credential id. */
export const Passkey = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.nullable(z.string()),
  backed_up: z.boolean(),
  transports: z.array(z.string()),
});

const credentialDescriptor = z.object({ type: z.literal("public-key"), id: z.string(), transports: z.array(z.string()) });

/** WebAuthn Level 3's `PublicKeyCredentialCreationOptionsJSON`, as this service fills it. */
export const PasskeyRegistrationOptions = z.object({
  rp: z.object({ id: z.string(), name: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  challenge: z.string(),
  pubKeyCredParams: z.array(z.object({ type: z.literal("public-key"), alg: z.number() })),
  timeout: z.number(),
  excludeCredentials: z.array(credentialDescriptor),
  authenticatorSelection: z.object({ residentKey: z.literal("required"), requireResidentKey: z.literal(true), userVerification: z.literal("required") }),
  attestation: z.literal("none"),
});

/** WebAuthn Level 3's `PublicKeyCredentialRequestOptionsJSON`, for a discoverable credential. */
export const PasskeySignInOptions = z.object({
  challenge: z.string(),
  rpId: z.string(),
  timeout: z.number(),
  userVerification: z.literal("required"),
  allowCredentials: z.array(credentialDescriptor),
});

export const PasskeyRemoveResponse = z.object({ message: z.string() });
export const PasskeyOnlyResponse = z.object({ passkey_only: z.boolean() });

export const HTTPError = z.object({ detail: z.string() });
