const BEARER_CHALLENGE = { "www-authenticate": "Bearer" } as const;

/**
 * Every error the service answers with, as FastAPI writes it. Clients of the
 * old backend parse these bytes, so the texts are part of the API.
 */
const ERRORS = {
  body_unparseable: { status: 400, detail: "There was an error parsing the body" },
  body_incomplete: { status: 400, detail: "There was an error parsing the body" },
  mfa_code_rejected: { status: 400, detail: "Invalid MFA code" },
  incorrect_password: { status: 400, detail: "Incorrect password" },
  passkey_registration_invalid: { status: 400, detail: "Invalid passkey registration" },
  not_authenticated: { status: 401, detail: "Not authenticated", headers: BEARER_CHALLENGE },
  invalid_access_token: { status: 401, detail: "Could not validate credentials", headers: BEARER_CHALLENGE },
  invalid_login: { status: 401, detail: "Incorrect email or password" },
  mfa_required: { status: 401, detail: "MFA code required" },
  invalid_mfa_code: { status: 401, detail: "Invalid MFA code" },
  invalid_refresh_token: { status: 401, detail: "Invalid refresh token", headers: BEARER_CHALLENGE },
  /** RFC 9470 §3: the route needs a more recent sign-in; the `WWW-Authenticate` challenge, with `max_age`, comes with the error. */
  reauth_required: { status: 401, detail: "Recent authentication required" },
  invalid_passkey: { status: 401, detail: "Invalid passkey" },
  passkey_required: { status: 401, detail: "Passkey required" },
  account_disabled: { status: 403, detail: "Account disabled" },
  not_found: { status: 404, detail: "Not Found" },
  method_not_allowed: { status: 405, detail: "Method Not Allowed" },
  mfa_already_enabled: { status: 409, detail: "MFA already enabled" },
  mfa_not_enabled: { status: 409, detail: "MFA not enabled" },
  passkey_already_registered: { status: 409, detail: "Passkey already registered" },
  too_many_passkeys: { status: 409, detail: "Too many passkeys" },
  passkey_name_taken: { status: 409, detail: "Passkey name already in use" },
  last_passkey_of_passkey_only: { status: 409, detail: "Last passkey of a passkey-only account" },
  no_passkey_registered: { status: 409, detail: "No passkey registered" },
  body_too_large: { status: 413, detail: "Request body too large" },
  validation_failed: { status: 422, detail: "" },
  too_many_attempts: { status: 429, detail: "Too many login attempts. Try again later." },
  internal: { status: 500, detail: "Internal Server Error" },
  /** A TOTP secret whose key is gone from MFA_ENCRYPTION_KEYS: the operator's to fix, never a way around the factor. */
  mfa_secret_unreadable: { status: 500, detail: "Internal Server Error" },
  unavailable: { status: 503, detail: "Service Unavailable" },
} as const satisfies Record<string, { status: number; detail: string; headers?: Record<string, string> }>;

export type ApiErrorCode = keyof typeof ERRORS;

export function errorStatus(code: ApiErrorCode): number {
  return ERRORS[code].status;
}

export function errorResponse(code: ApiErrorCode, body?: string, extraHeaders?: Record<string, string>): Response {
  const spec: { status: number; detail: string; headers?: Record<string, string> } = ERRORS[code];
  const headers = new Headers(spec.headers);
  for (const [name, value] of Object.entries(extraHeaders ?? {})) headers.set(name, value);
  headers.set("content-type", "application/json");
  return new Response(body ?? JSON.stringify({ detail: spec.detail }), { status: spec.status, headers });
}
