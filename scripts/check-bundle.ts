import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wranglerOutput } from "./lib/wrangler.ts";

/**
 * The production bundle's gzip size is what every cold start pays for, so it
 * has a budget: a typical Better Auth worker is ~330 KiB gzip, an OpenAuth
 * issuer ~60 KiB. The 45 KiB goal is withdrawn (issue 17: drizzle's query
 * builder stays). Passkeys brought @simplewebauthn/server and its ASN.1 and
 * CBOR libraries, ~100 KiB gzip, loaded only by the passkey routes: the
 * budget is the size measured then plus a small margin, so growth is a
 * decision, not a drift.
 */
const BUDGET_KIB = 166;

const outdir = mkdtempSync(join(tmpdir(), "bundle-"));
try {
  const output = wranglerOutput(["deploy", "--dry-run", "--minify", "--outdir", outdir], { WRANGLER_LOG: "log", FORCE_COLOR: "0" });
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (!match) {
    process.stderr.write(output);
    throw new Error("wrangler deploy --dry-run printed no bundle size");
  }
  const [, total, gzip] = match;
  const within = Number(gzip) <= BUDGET_KIB;
  console.log(`bundle: ${total} KiB, gzip ${gzip} KiB (budget ${BUDGET_KIB} KiB gzip) ${within ? "ok" : "OVER BUDGET"}`);
  if (!within) process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
