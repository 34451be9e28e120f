import { createMiddleware } from "hono/factory";
import { requireRecentSignIn } from "../auth/step-up.ts";

/** After `bearerToken`, before the body's fields are validated: a stale sign-in is told so first (RFC 9470). */
export const recentSignIn = createMiddleware(async (c, next) => {
  await requireRecentSignIn(c.get("auth"), c.get("accessClaims"));
  await next();
});
