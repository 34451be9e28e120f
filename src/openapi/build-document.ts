import * as z from "zod/mini";
import { LOGOUT_SCOPES } from "../auth/logout.ts";
import {
  EmailStr,
  LoginRequest,
  MfaCodeRequest,
  OptionalPasskeyName,
  PASSKEY_NAME,
  PasskeyName,
  PasskeyOnlyRequest,
  PasskeyRegistrationRequest,
  PasskeyRenameRequest,
  PasskeySignInRequest,
  PasswordChangeRequest,
  pyBool,
  pyDict,
  RefreshRequest,
} from "../routes/request-schemas.ts";
import {
  AdminSession,
  AdminUser,
  HTTPError,
  LoginResponse,
  LogoutResponse,
  Passkey,
  PasskeyOnlyResponse,
  PasskeyRegistrationOptions,
  PasskeyRemoveResponse,
  PasskeySignInOptions,
  PasswordChangeResponse,
  RefreshResponse,
  SessionRevokeResponse,
  TotpConfirmResponse,
  TotpDisableResponse,
  TotpSetupResponse,
} from "./response-schemas.ts";

/**
 * FastAPI's component names (it prefixes the module path where names clash),
 * so clients generated from the old backend's document keep working.
 */
const COMPONENTS = {
  scaikey__api__v1__admin__auth__LoginRequest: [LoginRequest, "input"],
  scaikey__api__v1__admin__auth__LoginResponse: [LoginResponse, "output"],
  scaikey__api__v1__me__auth__RefreshRequest: [RefreshRequest, "input"],
  scaikey__api__v1__me__auth__RefreshResponse: [RefreshResponse, "output"],
  AdminUser: [AdminUser, "output"],
  LogoutResponse: [LogoutResponse, "output"],
  MfaCodeRequest: [MfaCodeRequest, "input"],
  TotpSetupResponse: [TotpSetupResponse, "output"],
  TotpConfirmResponse: [TotpConfirmResponse, "output"],
  TotpDisableResponse: [TotpDisableResponse, "output"],
  PasswordChangeRequest: [PasswordChangeRequest, "input"],
  PasswordChangeResponse: [PasswordChangeResponse, "output"],
  AdminSession: [AdminSession, "output"],
  SessionRevokeResponse: [SessionRevokeResponse, "output"],
  PasskeyRegistrationOptions: [PasskeyRegistrationOptions, "output"],
  PasskeyRegistrationRequest: [PasskeyRegistrationRequest, "input"],
  PasskeySignInOptions: [PasskeySignInOptions, "output"],
  PasskeySignInRequest: [PasskeySignInRequest, "input"],
  Passkey: [Passkey, "output"],
  PasskeyRenameRequest: [PasskeyRenameRequest, "input"],
  PasskeyRemoveResponse: [PasskeyRemoveResponse, "output"],
  PasskeyOnlyRequest: [PasskeyOnlyRequest, "input"],
  PasskeyOnlyResponse: [PasskeyOnlyResponse, "output"],
  HTTPError: [HTTPError, "output"],
} as const;

/**
 * FastAPI's two 422 models, copied from fastapi/openapi/utils.py, which writes
 * them out by hand rather than from a model: `loc` items string or integer,
 * only `loc`, `msg` and `type` required, and the list's items a `$ref`, so
 * generated clients get a type named `ValidationError` (a zod schema of the
 * body would require `input` and say `number`). `input` and `ctx`, which
 * every pydantic 2 error carries, are optional, as FastAPI's newer releases say.
 */
const FASTAPI_COMPONENTS = {
  HTTPValidationError: {
    title: "HTTPValidationError",
    type: "object",
    properties: { detail: { title: "Detail", type: "array", items: { $ref: "#/components/schemas/ValidationError" } } },
  },
  ValidationError: {
    title: "ValidationError",
    type: "object",
    properties: {
      loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
      msg: { title: "Message", type: "string" },
      type: { title: "Error Type", type: "string" },
      input: { title: "Input" },
      ctx: { title: "Context", type: "object" },
    },
    required: ["loc", "msg", "type"],
  },
};

type ComponentName = keyof typeof COMPONENTS | keyof typeof FASTAPI_COMPONENTS;

function jsonSchema(name: keyof typeof COMPONENTS): Record<string, unknown> {
  const [schema, io] = COMPONENTS[name];
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === EmailStr) jsonSchema.format = "email";
      // Checked by code the JSON Schema emitter cannot read: say what pydantic's `dict`, `bool` and `Field` accept.
      if (zodSchema === pyDict) Object.assign(jsonSchema, { type: "object", additionalProperties: true, description: WEBAUTHN_JSON });
      if (zodSchema === pyBool) jsonSchema.type = "boolean";
      if (zodSchema === PasskeyName) Object.assign(jsonSchema, { minLength: PASSKEY_NAME.min, maxLength: PASSKEY_NAME.max });
      if (zodSchema === OptionalPasskeyName) jsonSchema.maxLength = PASSKEY_NAME.max;
    },
  }) as Record<string, unknown>;
  return { title: name, ...body };
}

const WEBAUTHN_JSON =
  "The credential as WebAuthn's JSON form (`PublicKeyCredential.toJSON()`, or what @simplewebauthn/browser's startRegistration / startAuthentication return): base64url without padding.";

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName, description: string) => ({ description, content: { "application/json": { schema: ref(name) } } });

const ERRORS = {
  400: json("HTTPError", "Invalid MFA code (wrong, spent, or no setup started); a failure for the admin's lockout"),
  401: json("HTTPError", "Not authenticated, or the token or credentials were refused"),
  413: json("HTTPError", "Request body over 64 KiB"),
  422: json("HTTPValidationError", "Validation Error"),
  429: {
    ...json("HTTPError", "Too many login attempts"),
    headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
  },
  503: json("HTTPError", "Storage unavailable"),
};

/**
 * The per-session limit of the bearer routes that write a row per call
 * (src/middleware/session-rate-limit.ts): login's 429, bytes and all, since
 * it is the contract's only one.
 */
const SESSION_RATE_LIMITED = {
  ...json("HTTPError", "Too many such calls from this session in the last minute (`SESSION_RATE_LIMITER`, 20 in wrangler.toml); the contract's one 429 body"),
  headers: ERRORS[429].headers,
};

/**
 * The routes that change how an admin signs in need a recent sign-in (RFC
 * 9470): their 401 is also the step-up challenge, whose `max_age` is
 * REAUTH_MAX_AGE.
 */
const STEP_UP_401 = {
  ...json(
    "HTTPError",
    'Not authenticated or the token was refused; or `{"detail":"Recent authentication required"}` when the session\'s sign-in is older than ' +
      "REAUTH_MAX_AGE (or unknown): sign the admin in again (password and code, or a passkey) and retry with the new token.",
  ),
  headers: {
    "WWW-Authenticate": {
      description:
        'RFC 9470 §3 on the step-up refusal: `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=600`',
      schema: { type: "string" },
    },
  },
};

/** The three enrolment routes: the caller's own second factor, by bearer token. */
function totpOperation(action: "setup" | "confirm" | "disable", summary: string, description: string, response: ComponentName) {
  const withCode = action !== "setup";
  return {
    post: {
      tags: ["Admin Auth"],
      summary,
      description,
      operationId: `admin_mfa_totp_${action}_api_v1_admin_auth_mfa_totp_${action}_post`,
      security: [{ HTTPBearer: [] }],
      ...(withCode ? { requestBody: { required: true, content: { "application/json": { schema: ref("MfaCodeRequest") } } } } : {}),
      responses: {
        200: json(response, "Successful Response"),
        ...(withCode ? { 400: ERRORS[400] } : {}),
        401: STEP_UP_401,
        409: json("HTTPError", action === "disable" ? "MFA not enabled" : "MFA already enabled"),
        413: ERRORS[413],
        ...(withCode ? { 422: ERRORS[422] } : {}),
        429: SESSION_RATE_LIMITED,
        503: ERRORS[503],
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes
 * validate with. scripts/build-assets.ts writes it as a static asset on every
 * build, so it cannot drift from the schemas; generating it in the worker
 * would ship zod's JSON Schema emitter (~7 KiB gzip) to every cold start.
 */
export function buildOpenApiDocument() {
  const bearer = [{ HTTPBearer: [] }];
  // Said outright (an empty list) rather than left out, so a linter or client
  // generator can tell a route that needs no token from one that forgot to say.
  const noToken: never[] = [];
  return {
    openapi: "3.1.0",
    info: { title: "ScaiKey Admin Auth", version: "1.0.0" },
    // Relative, so it resolves against wherever this document was fetched from:
    // one static file fits wrangler dev, staging, production and a custom domain.
    servers: [{ url: "/" }],
    paths: {
      "/api/v1/admin/auth/login": {
        post: {
          tags: ["Admin Auth"],
          summary: "Admin Login",
          description:
            "Login to the admin panel. An admin with MFA sends `mfa_code` (a TOTP from the authenticator app, or a recovery code); " +
            'without it, the right password gets 401 `{"detail":"MFA code required"}`.',
          operationId: "admin_login_api_v1_admin_auth_login_post",
          security: noToken,
          requestBody: { required: true, content: { "application/json": { schema: ref("scaikey__api__v1__admin__auth__LoginRequest") } } },
          responses: {
            200: json("scaikey__api__v1__admin__auth__LoginResponse", "Successful Response"),
            401: json("HTTPError", "Incorrect email or password; MFA code required; Invalid MFA code"),
            403: json("HTTPError", "Account disabled"),
            413: ERRORS[413],
            422: ERRORS[422],
            429: ERRORS[429],
            503: ERRORS[503],
          },
        },
      },
      "/api/v1/admin/auth/logout": {
        post: {
          tags: ["Admin Auth"],
          summary: "Admin Logout",
          description: "Logout from admin panel.",
          operationId: "admin_logout_api_v1_admin_auth_logout_post",
          security: bearer,
          parameters: [
            {
              name: "scope",
              in: "query",
              required: false,
              description: "`local`: this session; `others`: every other session of the admin; `global`: all of them.",
              schema: { enum: [...LOGOUT_SCOPES], type: "string", default: "local", title: "Scope" },
            },
          ],
          responses: {
            200: json("LogoutResponse", "Successful Response"),
            401: ERRORS[401],
            413: ERRORS[413],
            422: ERRORS[422],
            429: SESSION_RATE_LIMITED,
            503: ERRORS[503],
          },
        },
      },
      "/api/v1/admin/auth/me": {
        get: {
          tags: ["Admin Auth"],
          summary: "Admin Me",
          description: "Get current admin user info from token.",
          operationId: "admin_me_api_v1_admin_auth_me_get",
          security: bearer,
          parameters: [{ name: "authorization", in: "header", required: false, schema: { anyOf: [{ type: "string" }, { type: "null" }] } }],
          responses: { 200: json("AdminUser", "Successful Response"), 401: ERRORS[401], 422: ERRORS[422], 503: ERRORS[503] },
        },
      },
      "/api/v1/admin/auth/refresh": {
        post: {
          tags: ["Admin Auth"],
          summary: "Admin Refresh",
          description: "Refresh access token.",
          operationId: "admin_refresh_api_v1_admin_auth_refresh_post",
          security: noToken,
          requestBody: { required: true, content: { "application/json": { schema: ref("scaikey__api__v1__me__auth__RefreshRequest") } } },
          responses: {
            200: json("scaikey__api__v1__me__auth__RefreshResponse", "Successful Response"),
            401: ERRORS[401],
            413: ERRORS[413],
            422: ERRORS[422],
            503: ERRORS[503],
          },
        },
      },
      "/api/v1/admin/auth/mfa/totp/setup": totpOperation(
        "setup",
        "Admin MFA TOTP Setup",
        "Start enrolling an authenticator app: a new secret and its otpauth:// URI (render it as a QR code). Nothing changes at login until confirm.",
        "TotpSetupResponse",
      ),
      "/api/v1/admin/auth/mfa/totp/confirm": totpOperation(
        "confirm",
        "Admin MFA TOTP Confirm",
        "Turn MFA on with a code from the app. Returns ten recovery codes, shown once; every other session is revoked.",
        "TotpConfirmResponse",
      ),
      "/api/v1/admin/auth/mfa/totp/disable": totpOperation(
        "disable",
        "Admin MFA TOTP Disable",
        "Turn MFA off with a code from the app or a recovery code; every other session is revoked.",
        "TotpDisableResponse",
      ),
      "/api/v1/admin/auth/password": {
        post: {
          tags: ["Admin Auth"],
          summary: "Admin Change Password",
          description:
            "Change the caller's password: the current one (a wrong one counts toward the lockout), and `mfa_code` when MFA is on. " +
            "Every session of the admin is ended, this one too, and the answer is a new session's tokens (as a login with the new password " +
            "would give): use them from now on, as a copy of the old ones dies with the change.",
          operationId: "admin_change_password_api_v1_admin_auth_password_post",
          security: bearer,
          requestBody: { required: true, content: { "application/json": { schema: ref("PasswordChangeRequest") } } },
          responses: {
            200: json("PasswordChangeResponse", "Successful Response"),
            400: json("HTTPError", "Incorrect password; a failure for the admin's lockout"),
            401: {
              ...STEP_UP_401,
              ...json(
                "HTTPError",
                "Not authenticated or the token was refused; MFA code required; Invalid MFA code; or, for a passkey-only admin whose sign-in is older than REAUTH_MAX_AGE, " +
                  '`{"detail":"Recent authentication required"}` with the step-up challenge (RFC 9470), before the password is checked.',
              ),
            },
            413: ERRORS[413],
            422: ERRORS[422],
            429: ERRORS[429],
            503: ERRORS[503],
          },
        },
      },
      "/api/v1/admin/auth/sessions": {
        get: {
          tags: ["Admin Auth"],
          summary: "Admin Sessions",
          description: "The caller's live sessions, newest first; `current` marks the one this token belongs to.",
          operationId: "admin_sessions_api_v1_admin_auth_sessions_get",
          security: bearer,
          responses: {
            200: {
              description: "Successful Response",
              content: { "application/json": { schema: { type: "array", items: ref("AdminSession"), title: "Response Admin Sessions" } } },
            },
            401: ERRORS[401],
            503: ERRORS[503],
          },
        },
      },
      "/api/v1/admin/auth/sessions/{id}": {
        delete: {
          tags: ["Admin Auth"],
          summary: "Admin End Session",
          description: "End one of the caller's live sessions (the caller's own: a logout). The same 404 for anything else.",
          operationId: "admin_end_session_api_v1_admin_auth_sessions__id__delete",
          security: bearer,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", title: "Id" } }],
          responses: {
            200: json("SessionRevokeResponse", "Successful Response"),
            401: ERRORS[401],
            404: json("HTTPError", "Not one of the caller's live sessions"),
            429: SESSION_RATE_LIMITED,
            503: ERRORS[503],
          },
        },
      },
      ...passkeyPaths(),
    },
    components: {
      schemas: {
        ...Object.fromEntries(Object.keys(COMPONENTS).map((name) => [name, jsonSchema(name as keyof typeof COMPONENTS)])),
        ...FASTAPI_COMPONENTS,
      },
      securitySchemes: { HTTPBearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}

/** The passkey routes (contract-passkeys.md §2). */
function passkeyPaths() {
  const bearer = [{ HTTPBearer: [] }];
  const noToken: never[] = [];
  const body = (name: ComponentName) => ({ required: true, content: { "application/json": { schema: ref(name) } } });
  const operation = (method: string, path: string, summary: string, description: string, rest: Record<string, unknown>) => ({
    tags: ["Admin Passkeys"],
    summary,
    description,
    operationId: `${summary.toLowerCase().replaceAll(" ", "_")}_api_v1_admin_auth_${path.replaceAll(/[/{}]/g, "_").replace(/^_/, "")}_${method}`,
    ...rest,
  });
  const idParameter = [{ name: "id", in: "path", required: true, schema: { type: "string", title: "Id" } }];
  const notFound = json("HTTPError", "Not one of the caller's passkeys (unknown or another admin's)");
  return {
    "/api/v1/admin/auth/passkeys/register/options": {
      post: operation(
        "post",
        "passkeys/register/options",
        "Admin Passkey Register Options",
        "Options for `navigator.credentials.create()` (parse them with `PublicKeyCredential.parseCreationOptionsFromJSON`): a discoverable credential with user verification, none of the admin's passkeys again. The body is ignored. Needs a recent sign-in.",
        {
          security: bearer,
          responses: { 200: json("PasskeyRegistrationOptions", "Successful Response"), 401: STEP_UP_401, 429: SESSION_RATE_LIMITED, 503: ERRORS[503] },
        },
      ),
    },
    "/api/v1/admin/auth/passkeys/register/verify": {
      post: operation(
        "post",
        "passkeys/register/verify",
        "Admin Passkey Register Verify",
        "Store the passkey the browser created from the options, within 5 minutes; each options' challenge serves one verify. Without `name`, the passkey is named after its provider (or `Passkey`). Needs a recent sign-in.",
        {
          security: bearer,
          requestBody: body("PasskeyRegistrationRequest"),
          responses: {
            200: json("Passkey", "Successful Response"),
            400: json("HTTPError", "Invalid passkey registration: any failed check of the ceremony or its challenge"),
            401: STEP_UP_401,
            409: json("HTTPError", "Passkey already registered; Too many passkeys (10); Passkey name already in use"),
            413: ERRORS[413],
            422: ERRORS[422],
            429: SESSION_RATE_LIMITED,
            503: ERRORS[503],
          },
        },
      ),
    },
    "/api/v1/admin/auth/passkeys/login/options": {
      post: operation(
        "post",
        "passkeys/login/options",
        "Admin Passkey Login Options",
        "Options for `navigator.credentials.get()` (`PublicKeyCredential.parseRequestOptionsFromJSON`): usernameless, no email asked. Stores nothing. The body is ignored.",
        {
          security: noToken,
          responses: { 200: json("PasskeySignInOptions", "Successful Response"), 429: ERRORS[429], 503: ERRORS[503] },
        },
      ),
    },
    "/api/v1/admin/auth/passkeys/login/verify": {
      post: operation(
        "post",
        "passkeys/login/verify",
        "Admin Passkey Login Verify",
        'Sign in with the assertion the browser made from the options: login\'s answer, with `amr` `["pop","mfa"]` in the tokens. No TOTP code is asked, and the email\'s password lockout does not apply.',
        {
          security: noToken,
          requestBody: body("PasskeySignInRequest"),
          responses: {
            200: json("scaikey__api__v1__admin__auth__LoginResponse", "Successful Response"),
            401: json("HTTPError", "Invalid passkey"),
            403: json("HTTPError", "Account disabled"),
            413: ERRORS[413],
            422: ERRORS[422],
            429: ERRORS[429],
            503: ERRORS[503],
          },
        },
      ),
    },
    "/api/v1/admin/auth/passkeys": {
      get: operation("get", "passkeys", "Admin Passkeys", "The caller's passkeys, newest first.", {
        security: bearer,
        responses: {
          200: {
            description: "Successful Response",
            content: { "application/json": { schema: { type: "array", items: ref("Passkey"), title: "Response Admin Passkeys" } } },
          },
          401: ERRORS[401],
          503: ERRORS[503],
        },
      }),
    },
    "/api/v1/admin/auth/passkeys/only": {
      post: operation(
        "post",
        "passkeys/only",
        "Admin Passkey Only",
        "Turn passkey-only on (a password alone then answers 401 `Passkey required`; every other session ends) or off. Needs a recent sign-in.",
        {
          security: bearer,
          requestBody: body("PasskeyOnlyRequest"),
          responses: {
            200: json("PasskeyOnlyResponse", "Successful Response"),
            401: STEP_UP_401,
            409: json("HTTPError", "No passkey registered"),
            413: ERRORS[413],
            422: ERRORS[422],
            429: SESSION_RATE_LIMITED,
            503: ERRORS[503],
          },
        },
      ),
    },
    "/api/v1/admin/auth/passkeys/{id}": {
      patch: operation("patch", "passkeys/{id}", "Admin Passkey Rename", "Rename one of the caller's passkeys.", {
        security: bearer,
        parameters: idParameter,
        requestBody: body("PasskeyRenameRequest"),
        responses: {
          200: json("Passkey", "Successful Response"),
          401: ERRORS[401],
          404: notFound,
          409: json("HTTPError", "Passkey name already in use"),
          413: ERRORS[413],
          422: ERRORS[422],
          429: SESSION_RATE_LIMITED,
          503: ERRORS[503],
        },
      }),
      delete: operation(
        "delete",
        "passkeys/{id}",
        "Admin Passkey Remove",
        "Remove one of the caller's passkeys; the sessions it opened end. Needs a recent sign-in.",
        {
          security: bearer,
          parameters: idParameter,
          responses: {
            200: json("PasskeyRemoveResponse", "Successful Response"),
            401: STEP_UP_401,
            404: notFound,
            409: json("HTTPError", "Last passkey of a passkey-only account"),
            429: SESSION_RATE_LIMITED,
            503: ERRORS[503],
          },
        },
      ),
    },
  };
}
