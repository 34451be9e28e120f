import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { ASSETS_DIR, buildAssets } from "../lib/build-assets.ts";

/**
 * The types the admin panel's developers generate from our /openapi.json with
 * openapi-typescript (the CLI's defaults and header, so the file is what
 * `npx openapi-typescript` writes), for test/openapi-client.test.ts to call
 * the worker through openapi-fetch with. Committed, so a change to the document
 * shows in review as the change it makes to a client; `--check` regenerates
 * and fails if the committed file differs.
 */
const ROOT = join(import.meta.dirname, "../..");
const COMMITTED = join(ROOT, "test/support/admin-api.d.ts");
const name = relative(ROOT, COMMITTED);

// From the file the worker serves, as a client fetches it.
buildAssets();
const types = COMMENT_HEADER + astToString(await openapiTS(readFileSync(join(ASSETS_DIR, "openapi.json"), "utf8")));

if (process.argv.includes("--check")) {
  if (!existsSync(COMMITTED) || readFileSync(COMMITTED, "utf8") !== types) {
    console.error(`client-types: ${name} is out of date with /openapi.json; run \`npm run client-types\``);
    process.exitCode = 1;
  } else {
    console.log(`client-types: ${name} matches /openapi.json`);
  }
} else {
  writeFileSync(COMMITTED, types);
  console.log(`client-types: wrote ${name}`);
}
