import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildOpenApiDocument } from "../../src/openapi/build-document.ts";

const ROOT = join(import.meta.dirname, "../..");

/** `assets.directory` in wrangler.toml: built, never committed. */
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
  const files = new Map<string, Buffer | string>([
    ...Object.entries(FROM_SWAGGER_UI).map(([source, target]): [string, Buffer] => [`docs/${target}`, readFileSync(join(SWAGGER_UI, source))]),
    ...FROM_DOCS_PAGE.map((file): [string, Buffer] => [`docs/${file}`, readFileSync(join(ROOT, "src/docs-page", file))]),
    ["openapi.json", JSON.stringify(buildOpenApiDocument())],
  ]);
  mkdirSync(join(ASSETS_DIR, "docs"), { recursive: true });
  // Replaced file by file, each by a rename: a wrangler dev or test run
  // serving from here while another rebuilds never sees a missing or half-written file.
  for (const [path, content] of files) {
    const target = join(ASSETS_DIR, path);
    writeFileSync(`${target}.tmp-${process.pid}`, content);
    renameSync(`${target}.tmp-${process.pid}`, target);
  }
  for (const entry of readdirSync(ASSETS_DIR, { recursive: true, withFileTypes: true })) {
    const path = relative(ASSETS_DIR, join(entry.parentPath, entry.name));
    // Another build's `.tmp-` files are that build's to rename.
    if (entry.isFile() && !files.has(path) && !path.includes(".tmp-")) rmSync(join(ASSETS_DIR, path));
  }
}
