import { createMiddleware } from "hono/factory";
import { loadConfig } from "../config/load-config.ts";

/** A day: browsers cap it lower anyway (Chrome 2 h), and the allowed set changes only on deploy. */
const PREFLIGHT_MAX_AGE = "86400";

/**
 * CORS for the admin panel's origins only (`ALLOWED_ORIGINS`). No wildcard,
 * no credentials (the panel sends bearer tokens, not cookies), and nothing at
 * all for other origins, so the browser blocks them. `Vary: Origin` keeps
 * caches from serving one origin's answer to another.
 */
export const cors = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const origin = c.req.header("origin");
  const allowed = origin !== undefined && loadConfig(c.env).allowedOrigins.includes(origin);
  const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
  if (allowed && preflight) {
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST, DELETE",
        "access-control-allow-headers": "authorization, content-type",
        "access-control-max-age": PREFLIGHT_MAX_AGE,
        vary: "Origin",
      },
    });
  }
  await next();
  c.res.headers.append("vary", "Origin");
  if (allowed) {
    c.res.headers.set("access-control-allow-origin", origin);
    // Lets the panel read how long a 429 lasts.
    c.res.headers.set("access-control-expose-headers", "Retry-After");
  }
});
