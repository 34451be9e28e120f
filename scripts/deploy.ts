import { parseArgs } from "node:util";
import { wrangler } from "./lib/wrangler.ts";

/**
 * `npm run deploy -- --env staging|production [wrangler deploy args]`: remote
 * migrations first, then the code, so a deployed worker never queries a table
 * its database does not have yet. (Migrations are additive, so the previous
 * version keeps working on the new schema while the deploy rolls out.)
 */
const { values, tokens } = parseArgs({ options: { env: { type: "string" } }, strict: false, tokens: true });
const environment = values.env;
if (typeof environment !== "string" || environment === "") {
  console.error("error: name the environment: npm run deploy -- --env staging (or production)");
  process.exit(2);
}
const passThrough = tokens.flatMap((token) =>
  token.kind === "option" && token.name !== "env" ? [token.rawName, ...(token.value === undefined ? [] : [token.value])] : [],
);
wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", environment]);
wrangler(["deploy", "--env", environment, ...passThrough]);
