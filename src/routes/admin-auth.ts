import { Hono } from "hono/tiny";
import { toAdminUser } from "../admins/admin-user.ts";
import { currentAdmin } from "../auth/current-admin.ts";
import { login } from "../auth/login.ts";
import { logout } from "../auth/logout.ts";
import { refresh } from "../auth/refresh.ts";
import { jsonResponse, tokenResponse } from "../http/json.ts";
import { authContext } from "../middleware/auth-context.ts";
import { bearerToken } from "../middleware/bearer-token.ts";
import { fastApiJsonBody, fastApiJsonValidator } from "../wire/fastapi-validation.ts";
import { LoginRequest, RefreshRequest } from "./request-schemas.ts";

export const ADMIN_AUTH_PREFIX = "/api/v1/admin/auth";

/** The four routes of the FastAPI service, thin: each hands its input to one auth operation. */
export const adminAuthRoutes = new Hono<{ Bindings: Env }>()
  .post("/login", authContext, fastApiJsonBody, fastApiJsonValidator(LoginRequest), async (c) => {
    return tokenResponse(await login(c.get("auth"), c.req.valid("json")));
  })
  .post("/refresh", authContext, fastApiJsonBody, fastApiJsonValidator(RefreshRequest), async (c) => {
    const { refresh_token } = c.req.valid("json");
    return tokenResponse(await refresh(c.get("auth"), refresh_token));
  })
  .post("/logout", authContext, bearerToken, async (c) => {
    await logout(c.get("auth"), c.get("accessClaims"));
    return jsonResponse({ message: "Successfully logged out" });
  })
  .get("/me", authContext, bearerToken, async (c) => {
    const admin = await currentAdmin(c.get("auth"), c.get("accessClaims"));
    return jsonResponse(toAdminUser(admin), { headers: { "cache-control": "no-store" } });
  });

/** Which methods each path answers, for 405's `Allow` header. */
export const ADMIN_AUTH_METHODS: Record<string, string> = {
  "/login": "POST",
  "/refresh": "POST",
  "/logout": "POST",
  "/me": "GET",
};
