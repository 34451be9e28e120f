import { createMiddleware } from "hono/factory";
import type { AuthContext } from "../auth/auth-context.ts";
import { loadConfig } from "../config/load-config.ts";
import { clientRequest } from "../http/request-origin.ts";
import { secretBox } from "../mfa/secret-box.ts";
import { logError } from "../observability/log.ts";
import { loadKeyring } from "../tokens/keyring.ts";

declare module "hono" {
  interface ContextVariableMap {
    auth: AuthContext;
  }
}

/** Builds each request's `AuthContext` from the isolate's parsed config and imported keys. */
export const authContext = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const config = loadConfig(c.env);
  const keyring = await loadKeyring(config.signingKeys);
  const executionCtx = c.executionCtx;
  c.set("auth", {
    d1: c.env.DB,
    kv: c.env.REVOCATIONS,
    loginRateLimiters: { client: c.env.LOGIN_RATE_LIMITER, site: c.env.LOGIN_SITE_RATE_LIMITER },
    sessionRateLimiter: c.env.SESSION_RATE_LIMITER,
    config,
    keyring,
    secretBox: secretBox(config.mfaEncryptionKeys),
    now: Date.now(),
    ...clientRequest(c.req.raw),
    defer: (task) => executionCtx.waitUntil(task.catch((error: unknown) => logError("deferred write failed", error))),
  });
  await next();
});
