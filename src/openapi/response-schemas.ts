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

export const HTTPError = z.object({ detail: z.string() });
