import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/api-error.ts";
import { logRequest } from "../observability/log.ts";

/**
 * The request line (`logRequest`) for every request. The Workers clock only moves across I/O, so the duration is wall time spent
 * waiting on D1/KV, not CPU time such as PBKDF2 (Workers Logs reports that).
 * Headers and bodies are never logged: they carry passwords and tokens.
 */
export const requestLog = createMiddleware(async (c, next) => {
  const started = Date.now();
  await next();
  const error = c.error;
  logRequest({
    requestId: c.req.header("cf-ray") ?? null,
    method: c.req.method,
    route: c.req.path,
    status: c.res.status,
    durationMs: Date.now() - started,
    outcome: error instanceof ApiError ? error.code : error ? "internal" : "ok",
  });
});
