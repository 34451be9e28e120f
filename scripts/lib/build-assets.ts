import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildSync } from "esbuild";
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
const FROM_DOCS_PAGE = ["index.html", "docs.js", "passkeys.html", "passkeys.css"];

/**
 * The /docs/passkeys page's script with @simplewebauthn/browser bundled in (no
 * CDN), unminified: the panel's developers read it as the reference.
 */
function bundlePasskeysPage(): string {
  const { outputFiles } = buildSync({
    entryPoints: [join(ROOT, "src/docs-page/passkeys.js")],
    bundle: true,
    format: "esm",
    target: "es2022",
    write: false,
    legalComments: "inline",
  });
  const [bundle] = outputFiles;
  if (!bundle) throw new Error("esbuild wrote no passkeys.js");
  return bundle.text;
}

/**
 * The worker's static assets: `/openapi.json`, generated from the zod schemas
 * the routes validate with, the `/docs` page with Swagger UI and the
 * `/docs/passkeys` page, served from this origin (no CDN) and kept out of the
 * script bundle.
 */
export function buildAssets(): void {
  const files = new Map<string, Buffer | string>([
    ...Object.entries(FROM_SWAGGER_UI).map(([source, target]): [string, Buffer] => [`docs/${target}`, readFileSync(join(SWAGGER_UI, source))]),
    ...FROM_DOCS_PAGE.map((file): [string, Buffer] => [`docs/${file}`, readFileSync(join(ROOT, "src/docs-page", file))]),
    ["docs/passkeys.js", bundlePasskeysPage()],
    // MIT: its notice travels with the copy bundled above.
    ["docs/simplewebauthn-browser-LICENSE.txt", readFileSync(join(ROOT, "node_modules/@simplewebauthn/browser/LICENSE.md"))],
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
