import { createMiddleware } from "hono/factory";
import { checkSessionRateLimit } from "../throttle/session-rate-limit.ts";

/**
 * After `bearerToken`, before the route's own work: a request without a valid
 * token is FastAPI's 401 whatever its rate, and only a verified token's `sid`
 * is counted, so no one can spend another session's allowance. It runs before
 * body and query validation, which FastAPI does after the bearer dependency:
 * a session over its limit is refused whatever it sends.
 */
export const sessionRateLimit = createMiddleware(async (c, next) => {
  await checkSessionRateLimit(c.get("auth").sessionRateLimiter, c.get("accessClaims").sid);
  await next();
});
