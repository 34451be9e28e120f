import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono/tiny";
import { loadConfig } from "../config/load-config.ts";
import { ApiError } from "../errors/api-error.ts";

/**
 * The docs pages may run only this origin's scripts and styles and talk only to
 * this origin (Swagger UI's "Try it out", the passkeys page's API calls); the
 * icons are data: URLs. WebAuthn needs nothing more. Nothing
 * may frame it: a framed page that sends credentials invites clickjacking.
 */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type AppContext = Context<{ Bindings: Env }>;

/**
 * Like FastAPI with `docs_url=None`: a deployment without docs has no such
 * page, for any method and any spelling of the path, so this runs before the
 * 405 and trailing-slash answers that would otherwise say the route exists.
 */
export const hideDisabledDocs: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const path = c.req.path;
  if ((path === "/docs" || path.startsWith("/docs/")) && !loadConfig(c.env).docsEnabled) throw new ApiError("not_found");
  await next();
};

/**
 * Files built by scripts/build-assets.ts. The worker runs first on every path
 * (`assets.run_worker_first`), so these answer like every other route (CORS,
 * nosniff, FastAPI's 404 and 405) and the docs obey DOCS_ENABLED.
 */
export const staticAssets = new Hono<{ Bindings: Env }>();

staticAssets.get("/openapi.json", (c) => fetchAsset(c, "/openapi.json"));

staticAssets.get("/docs", async (c) => withDocsPolicy(await fetchAsset(c, "/docs/index.html")));
staticAssets.get("/docs/passkeys", async (c) => withDocsPolicy(await fetchAsset(c, "/docs/passkeys.html")));
// The path as the client sent it: the asset server decodes it once, as it would without the worker.
staticAssets.get("/docs/*", async (c) => withDocsPolicy(await fetchAsset(c, new URL(c.req.url).pathname)));

function withDocsPolicy(response: Response): Response {
  response.headers.set("content-security-policy", DOCS_CSP);
  return response;
}

/** Keeps the request's headers, so `If-None-Match` still earns a 304. */
async function fetchAsset(c: AppContext, path: string): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new Request(new URL(path, c.req.url), c.req.raw));
  if (asset.status === 404) throw new ApiError("not_found");
  return new Response(asset.body, asset);
}
