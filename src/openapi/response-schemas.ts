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

export const HTTPError = z.object({ detail: z.string() });
