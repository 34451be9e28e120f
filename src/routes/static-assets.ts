import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { loadConfig } from "../config/load-config.ts";
import { ApiError } from "../errors/api-error.ts";

/**
 * The docs page may run only this origin's scripts and styles and talk only to
 * this origin (Swagger UI's "Try it out"); its icons are data: URLs. Nothing
 * may frame it: a framed page that sends credentials invites clickjacking.
 */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Files built by scripts/build-assets.ts. The worker runs first on these paths
 * (`assets.run_worker_first`), so they answer like every other route (CORS,
 * nosniff, FastAPI's 404 and 405) and the docs obey DOCS_ENABLED.
 */
export const staticAssets = new Hono<{ Bindings: Env }>();

staticAssets.get("/openapi.json", (c) => fetchAsset(c, "/openapi.json"));

staticAssets.get("/docs", (c) => docsPage(c, "/docs/index.html"));
staticAssets.get("/docs/*", (c) => docsPage(c, c.req.path));

/** Like FastAPI with `docs_url=None`: a deployment without docs has no such page. */
async function docsPage(c: Context<{ Bindings: Env }>, path: string): Promise<Response> {
  if (!loadConfig(c.env).docsEnabled) throw new ApiError("not_found");
  const response = await fetchAsset(c, path);
  response.headers.set("content-security-policy", DOCS_CSP);
  return response;
}

/** Keeps the request's headers, so `If-None-Match` still earns a 304. */
async function fetchAsset(c: Context<{ Bindings: Env }>, path: string): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new Request(new URL(path, c.req.url), c.req.raw));
  if (asset.status === 404) throw new ApiError("not_found");
  return new Response(asset.body, asset);
}
