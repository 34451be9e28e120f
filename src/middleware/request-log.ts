import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/api-error.ts";
import { logInfo } from "../observability/log.ts";

/**
 * One line per request: the `cf-ray` id to find it in Cloudflare's logs, the
 * route, the status, the time taken and the outcome (the error's stable code).
 * The Workers clock only moves across I/O, so the duration is wall time spent
 * waiting on D1/KV, not CPU time such as PBKDF2 (Workers Logs reports that).
 * Headers and bodies are never logged: they carry passwords and tokens.
 */
export const requestLog = createMiddleware(async (c, next) => {
  const started = Date.now();
  await next();
  const error = c.error;
  logInfo("request", {
    request_id: c.req.header("cf-ray") ?? null,
    method: c.req.method,
    route: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
    outcome: error instanceof ApiError ? error.code : error ? "internal" : "ok",
  });
});
