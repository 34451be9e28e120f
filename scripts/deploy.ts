import { parseArgs } from "node:util";
import { checkConfigAtStart, deployVars, varFlags } from "./lib/worker-vars.ts";
import { wrangler } from "./lib/wrangler.ts";

/**
 * `npm run deploy -- --env staging|production [wrangler deploy args]`: the
 * configuration checked first, then remote migrations, then the code, so a
 * deployed worker never queries a table its database does not have yet.
 * (Migrations are additive, so the previous version keeps working on the new
 * schema while the deploy rolls out.)
 */
const { values, tokens } = parseArgs({ options: { env: { type: "string" }, "dry-run": { type: "boolean" } }, strict: false, tokens: true });
const environment = values.env;
if (typeof environment !== "string" || environment === "") {
  console.error("error: name the environment: npm run deploy -- --env staging (or production)");
  process.exit(2);
}
// Everything but `--env` goes to wrangler as given: `--var NAME:VALUE` and `--secrets-file PATH` keep their values.
const envArgs = new Set(
  tokens.flatMap((token) => (token.kind === "option" && token.name === "env" ? [token.index, ...(token.inlineValue ? [] : [token.index + 1])] : [])),
);
const passThrough = process.argv.slice(2).filter((_, index) => !envArgs.has(index));
// Before anything remote: a bad variable stops here with its name, not at the deployed worker's first request.
await checkConfigAtStart(() => deployVars(varFlags(["--env", environment, ...passThrough])), "given");
// A dry run uploads nothing, so it migrates nothing either.
if (values["dry-run"] !== true) wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", environment]);
wrangler(["deploy", "--env", environment, ...passThrough]);
