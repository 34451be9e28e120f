import { Hono } from "hono/tiny";
import { ConfigError } from "./config/config.ts";
import { loadConfig } from "./config/load-config.ts";
import { ApiError } from "./errors/api-error.ts";
import { errorResponse } from "./errors/error-responses.ts";
import { jsonResponse } from "./http/json.ts";
import { cors } from "./middleware/cors.ts";
import { requestLog } from "./middleware/request-log.ts";
import { logError } from "./observability/log.ts";
import { ADMIN_AUTH_METHODS, ADMIN_AUTH_PREFIX, adminAuthRoutes } from "./routes/admin-auth.ts";
import { hideDisabledDocs, staticAssets } from "./routes/static-assets.ts";
import { loadKeyring } from "./tokens/keyring.ts";
import { MAX_BODY_BYTES } from "./wire/read-body.ts";

export const app = new Hono<{ Bindings: Env }>();

app.use(requestLog);

/** Browsers must not guess a JSON error into something executable. */
app.use(async (c, next) => {
  await next();
  c.res.headers.set("x-content-type-options", "nosniff");
});

app.use(cors);

app.use(hideDisabledDocs);

/**
 * Every route and the methods it answers, as 405's `Allow` lists them; also
 * for the trailing-slash redirect. FastAPI's own `/openapi.json` and `/docs`
 * are plain Starlette routes, which answer HEAD beside GET; API routes do not.
 */
const ROUTE_METHODS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(ADMIN_AUTH_METHODS).map(([route, methods]) => [ADMIN_AUTH_PREFIX + route, [methods].flat()])),
  "/.well-known/jwks.json": ["GET"],
  "/openapi.json": ["GET", "HEAD"],
  "/docs": ["GET", "HEAD"],
  "/docs/passkeys": ["GET", "HEAD"],
  "/health": ["GET"],
};

/** Starlette's `{name}` path parameter matches one non-empty segment. */
const ROUTE_TEMPLATES = Object.keys(ROUTE_METHODS)
  .filter((route) => route.includes("{"))
  .map((route) => [new RegExp(`^${route.replace(/\{\w+\}/g, "[^/]+")}$`), route] as const);

/**
 * The methods of every route a path matches, in Starlette's order (a fixed
 * path such as `/passkeys/only` is declared before `/passkeys/{id}`, which
 * also matches it); a method is routed if any of them answers it, and a 405
 * lists the first's. Starlette routes on the percent-decoded path, so an
 * encoded slash splits a segment: `/sessions/a%2Fb` is no route of FastAPI's
 * (404), though Hono's router would hand it to `/sessions/:id`.
 */
function matchingRoutes(path: string): readonly (readonly string[])[] | "no_route" {
  const exact = ROUTE_METHODS[path];
  const templates = ROUTE_TEMPLATES.filter(([pattern]) => pattern.test(path)).map(([, route]) => ROUTE_METHODS[route] ?? []);
  if (templates.length > 0 && /%2f/i.test(path)) return exact ? [exact] : "no_route";
  return exact ? [exact, ...templates] : templates;
}

/**
 * FastAPI routes answer only their declared methods: anything else on a known
 * path is 405 with `Allow` — HEAD and OPTIONS included, which Hono would
 * otherwise route to GET or 404. A known path with a stray trailing slash is
 * Starlette's `redirect_slashes` 307 to the real one.
 */
app.use(async (c, next) => {
  const route = c.req.path;
  const routes = matchingRoutes(route);
  if (routes === "no_route") throw new ApiError("not_found");
  const slashless = route.endsWith("/") ? matchingRoutes(route.slice(0, -1)) : "no_route";
  if (routes.length === 0 && slashless !== "no_route" && slashless.length > 0) {
    const location = new URL(c.req.url);
    location.pathname = c.req.path.slice(0, -1);
    return new Response(null, { status: 307, headers: { location: location.href } });
  }
  const [first] = routes;
  if (first && !routes.some((methods) => methods.includes(c.req.method))) {
    throw new ApiError("method_not_allowed", { headers: { allow: first.join(", ") } });
  }
  await next();
});

/** A declared body over the limit is refused on every route, before any work. */
app.use(async (c, next) => {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) throw new ApiError("body_too_large");
  await next();
});

app.route(ADMIN_AUTH_PREFIX, adminAuthRoutes);

app.get("/.well-known/jwks.json", async (c) => {
  const keyring = await loadKeyring(loadConfig(c.env).signingKeys);
  return new Response(keyring.jwks, {
    headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
  });
});

app.route("/", staticAssets);

app.get("/health", () => jsonResponse({ status: "ok" }));

app.notFound(() => errorResponse("not_found"));

app.onError((error, c) => {
  if (error instanceof ApiError) {
    if (error.status >= 500) logError(error.code, error.cause ?? error, { path: c.req.path });
    return error.getResponse();
  }
  if (error instanceof ConfigError) {
    logError(error.message, error, { variable: error.variable });
  } else {
    logError("unhandled error", error, { path: c.req.path });
  }
  return errorResponse("internal");
});
