import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument } from "../../src/openapi/build-document.ts";

const ROOT = join(import.meta.dirname, "../..");

/** `assets.directory` in wrangler.jsonc: built, never committed. */
export const ASSETS_DIR = join(ROOT, "dist/assets");

const SWAGGER_UI = join(ROOT, "node_modules/swagger-ui-dist");

/** What the docs page loads, with the licence and notice that Swagger UI's Apache-2.0 licence asks to ship along. */
const FROM_SWAGGER_UI = {
  "swagger-ui-bundle.js": "swagger-ui-bundle.js",
  "swagger-ui.css": "swagger-ui.css",
  "favicon-32x32.png": "favicon-32x32.png",
  LICENSE: "swagger-ui-LICENSE.txt",
  NOTICE: "swagger-ui-NOTICE.txt",
  "swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
};
const FROM_DOCS_PAGE = ["index.html", "docs.js"];

/**
 * The worker's static assets: `/openapi.json`, generated from the zod schemas
 * the routes validate with, and the `/docs` page with Swagger UI, served from
 * this origin (no CDN) and kept out of the script bundle.
 */
export function buildAssets(): void {
  rmSync(ASSETS_DIR, { recursive: true, force: true });
  mkdirSync(join(ASSETS_DIR, "docs"), { recursive: true });
  for (const [source, target] of Object.entries(FROM_SWAGGER_UI)) copyFileSync(join(SWAGGER_UI, source), join(ASSETS_DIR, "docs", target));
  for (const file of FROM_DOCS_PAGE) copyFileSync(join(ROOT, "src/docs-page", file), join(ASSETS_DIR, "docs", file));
  writeFileSync(join(ASSETS_DIR, "openapi.json"), JSON.stringify(buildOpenApiDocument()));
}
