import { Hono } from "hono/tiny";
import { toAdminUser } from "../admins/admin-user.ts";
import { changePassword } from "../auth/change-password.ts";
import { confirmTotp } from "../auth/confirm-totp.ts";
import { currentAdmin } from "../auth/current-admin.ts";
import { disableTotp } from "../auth/disable-totp.ts";
import { login } from "../auth/login.ts";
import { LOGOUT_SCOPES, type LogoutScope, logout } from "../auth/logout.ts";
import { endOwnSessionById, listOwnSessions } from "../auth/own-sessions.ts";
import { refresh } from "../auth/refresh.ts";
import { requireLiveSession } from "../auth/require-live-session.ts";
import { setupTotp } from "../auth/setup-totp.ts";
import { ApiError } from "../errors/api-error.ts";
import { jsonResponse, tokenResponse } from "../http/json.ts";
import { authContext } from "../middleware/auth-context.ts";
import { bearerToken } from "../middleware/bearer-token.ts";
import { recentSignIn } from "../middleware/recent-sign-in.ts";
import { sessionRateLimit } from "../middleware/session-rate-limit.ts";
import { type FastApiValidatorOptions, fastApiJsonBody, fastApiJsonValidator, literalQueryParam } from "../wire/fastapi-validation.ts";
import {
  LoginRequest,
  MfaCodeRequest,
  PasskeyOnlyRequest,
  PasskeyRegistrationRequest,
  PasskeyRenameRequest,
  PasskeySignInRequest,
  PasswordChangeRequest,
  RefreshRequest,
} from "./request-schemas.ts";

export const ADMIN_AUTH_PREFIX = "/api/v1/admin/auth";

/** Challenges and the passkey list are for one client, once. */
const NO_CACHE = { "cache-control": "no-store" } as const;

/**
 * FastAPI's order for a route with a body behind a bearer token: malformed
 * JSON (read before any dependency), then the token and its session, then
 * the body's fields.
 */
const liveSessionFirst: FastApiValidatorOptions = {
  beforeBodyError: (c) => requireLiveSession(c.get("auth"), c.get("accessClaims")),
};

/**
 * The routes of the FastAPI service, thin: each hands its input to one auth
 * operation. A route with a body reads it before `authContext` reads the
 * clock: the request's time is when it arrived whole, so a client that holds
 * its body back cannot date its attempt (and a lockout) in the past.
 */
export const adminAuthRoutes = new Hono<{ Bindings: Env }>()
  .post("/login", fastApiJsonBody, authContext, fastApiJsonValidator(LoginRequest), async (c) => {
    const { email, password, mfa_code } = c.req.valid("json");
    return tokenResponse(await login(c.get("auth"), { email, password, mfaCode: mfa_code ?? null }));
  })
  .post("/refresh", fastApiJsonBody, authContext, fastApiJsonValidator(RefreshRequest), async (c) => {
    const { refresh_token } = c.req.valid("json");
    return tokenResponse(await refresh(c.get("auth"), refresh_token));
  })
  .post("/logout", authContext, bearerToken, sessionRateLimit, async (c) => {
    let scope: LogoutScope;
    try {
      scope = literalQueryParam(c.req.url, "scope", LOGOUT_SCOPES, "local");
    } catch (error) {
      // Query parameters, like the body, are validated after the bearer dependency.
      if (error instanceof ApiError) await requireLiveSession(c.get("auth"), c.get("accessClaims"));
      throw error;
    }
    await logout(c.get("auth"), c.get("accessClaims"), scope);
    return jsonResponse({ message: "Successfully logged out" });
  })
  .get("/me", authContext, bearerToken, async (c) => {
    const admin = await currentAdmin(c.get("auth"), c.get("accessClaims"));
    return jsonResponse(toAdminUser(admin), { headers: { "cache-control": "no-store" } });
  })
  // The secret and the recovery codes are shown once and must not be cached, as tokens must not.
  .post("/mfa/totp/setup", authContext, bearerToken, sessionRateLimit, recentSignIn, async (c) => {
    return tokenResponse(await setupTotp(c.get("auth"), c.get("accessClaims")));
  })
  .post(
    "/mfa/totp/confirm",
    fastApiJsonBody,
    authContext,
    bearerToken,
    sessionRateLimit,
    recentSignIn,
    fastApiJsonValidator(MfaCodeRequest, liveSessionFirst),
    async (c) => {
      return tokenResponse(await confirmTotp(c.get("auth"), c.get("accessClaims"), c.req.valid("json").code));
    },
  )
  .post(
    "/mfa/totp/disable",
    fastApiJsonBody,
    authContext,
    bearerToken,
    sessionRateLimit,
    recentSignIn,
    fastApiJsonValidator(MfaCodeRequest, liveSessionFirst),
    async (c) => {
      await disableTotp(c.get("auth"), c.get("accessClaims"), c.req.valid("json").code);
      return jsonResponse({ message: "MFA disabled" });
    },
  )
  .post("/password", fastApiJsonBody, authContext, bearerToken, fastApiJsonValidator(PasswordChangeRequest, liveSessionFirst), async (c) => {
    const { current_password, new_password, mfa_code } = c.req.valid("json");
    const change = { currentPassword: current_password, newPassword: new_password, mfaCode: mfa_code ?? null };
    const tokens = await changePassword(c.get("auth"), c.get("accessClaims"), change);
    return tokenResponse({ message: "Password changed", ...tokens });
  })
  .get("/sessions", authContext, bearerToken, async (c) => {
    return jsonResponse(await listOwnSessions(c.get("auth"), c.get("accessClaims")), { headers: { "cache-control": "no-store" } });
  })
  .delete("/sessions/:id", authContext, bearerToken, sessionRateLimit, async (c) => {
    await endOwnSessionById(c.get("auth"), c.get("accessClaims"), c.req.param("id"));
    return jsonResponse({ message: "Session revoked" });
  })
  // Passkeys: @simplewebauthn/server is imported by the ceremonies' code only when a verify runs, so the
  // cold start of every other route never evaluates it (README "Passkeys").
  .post("/passkeys/register/options", authContext, bearerToken, sessionRateLimit, recentSignIn, async (c) => {
    const { registrationOptions } = await import("../passkeys/register-passkey.ts");
    return jsonResponse(await registrationOptions(c.get("auth"), c.get("accessClaims")), { headers: NO_CACHE });
  })
  .post(
    "/passkeys/register/verify",
    fastApiJsonBody,
    authContext,
    bearerToken,
    sessionRateLimit,
    recentSignIn,
    fastApiJsonValidator(PasskeyRegistrationRequest, liveSessionFirst),
    async (c) => {
      const { registerPasskey } = await import("../passkeys/register-passkey.ts");
      const { response, name } = c.req.valid("json");
      return jsonResponse(await registerPasskey(c.get("auth"), c.get("accessClaims"), { response, name: name ?? null }));
    },
  )
  .post("/passkeys/login/options", authContext, async (c) => {
    const { signInOptions } = await import("../passkeys/passkey-sign-in.ts");
    return jsonResponse(await signInOptions(c.get("auth")), { headers: NO_CACHE });
  })
  .post("/passkeys/login/verify", fastApiJsonBody, authContext, fastApiJsonValidator(PasskeySignInRequest), async (c) => {
    const { signInWithPasskey } = await import("../passkeys/passkey-sign-in.ts");
    return tokenResponse(await signInWithPasskey(c.get("auth"), c.req.valid("json").response));
  })
  .get("/passkeys", authContext, bearerToken, async (c) => {
    const { listOwnPasskeys } = await import("../passkeys/manage-passkeys.ts");
    return jsonResponse(await listOwnPasskeys(c.get("auth"), c.get("accessClaims")), { headers: NO_CACHE });
  })
  .patch(
    "/passkeys/:id",
    fastApiJsonBody,
    authContext,
    bearerToken,
    sessionRateLimit,
    fastApiJsonValidator(PasskeyRenameRequest, liveSessionFirst),
    async (c) => {
      const { renamePasskey } = await import("../passkeys/manage-passkeys.ts");
      return jsonResponse(await renamePasskey(c.get("auth"), c.get("accessClaims"), c.req.param("id"), c.req.valid("json").name));
    },
  )
  .delete("/passkeys/:id", authContext, bearerToken, sessionRateLimit, recentSignIn, async (c) => {
    const { removePasskey } = await import("../passkeys/manage-passkeys.ts");
    await removePasskey(c.get("auth"), c.get("accessClaims"), c.req.param("id"));
    return jsonResponse({ message: "Passkey removed" });
  })
  .post(
    "/passkeys/only",
    fastApiJsonBody,
    authContext,
    bearerToken,
    sessionRateLimit,
    recentSignIn,
    fastApiJsonValidator(PasskeyOnlyRequest, liveSessionFirst),
    async (c) => {
      const { setPasskeyOnly } = await import("../passkeys/manage-passkeys.ts");
      return jsonResponse(await setPasskeyOnly(c.get("auth"), c.get("accessClaims"), c.req.valid("json").enabled));
    },
  );

/** Which methods each path answers, for 405's `Allow` header. */
export const ADMIN_AUTH_METHODS: Record<string, string | readonly string[]> = {
  "/login": "POST",
  "/refresh": "POST",
  "/logout": "POST",
  "/me": "GET",
  "/mfa/totp/setup": "POST",
  "/mfa/totp/confirm": "POST",
  "/mfa/totp/disable": "POST",
  "/password": "POST",
  "/sessions": "GET",
  "/sessions/{id}": "DELETE",
  "/passkeys/register/options": "POST",
  "/passkeys/register/verify": "POST",
  "/passkeys/login/options": "POST",
  "/passkeys/login/verify": "POST",
  "/passkeys": "GET",
  "/passkeys/{id}": ["PATCH", "DELETE"],
  "/passkeys/only": "POST",
};
