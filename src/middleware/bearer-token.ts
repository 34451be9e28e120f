import { createMiddleware } from "hono/factory";
import { longestLife } from "../auth/issue-tokens.ts";
import { ApiError } from "../errors/api-error.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { verifyToken } from "../tokens/verify-token.ts";

declare module "hono" {
  interface ContextVariableMap {
    accessClaims: TokenClaims;
  }
}

/**
 * FastAPI's bearer rules: no header, another scheme or an empty token is "Not
 * authenticated"; a token that fails verification is "Could not validate
 * credentials". The scheme is split at the first space and matched
 * case-insensitively, as `get_authorization_scheme_param` does.
 */
export const bearerToken = createMiddleware(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  const token = space === -1 ? "" : header.slice(space + 1);
  if (scheme.toLowerCase() !== "bearer" || token === "") throw new ApiError("not_authenticated");

  const auth = c.get("auth");
  const claims = await verifyToken(auth.keyring, "access", token, auth.config, longestLife(auth.config, "access"));
  if (!claims) throw new ApiError("invalid_access_token");
  c.set("accessClaims", claims);
  await next();
});
