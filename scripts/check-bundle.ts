import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The production bundle's gzip size is what every cold start pays for, so it
 * has a budget: a typical Better Auth worker is ~330 KiB gzip, an OpenAuth
 * issuer ~60 KiB; this one may not be bigger than the latter.
 */
const BUDGET_KIB = 60;

const outdir = mkdtempSync(join(tmpdir(), "bundle-"));
try {
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, "../node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--minify", "--outdir", outdir],
    { encoding: "utf8", env: { ...process.env, WRANGLER_LOG: "log", FORCE_COLOR: "0" } },
  );
  const output = `${result.stdout}${result.stderr}`;
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (result.status !== 0 || !match) {
    process.stderr.write(output);
    throw new Error("wrangler deploy --dry-run failed");
  }
  const [, total, gzip] = match;
  const within = Number(gzip) <= BUDGET_KIB;
  console.log(`bundle: ${total} KiB, gzip ${gzip} KiB (budget ${BUDGET_KIB} KiB gzip) ${within ? "ok" : "OVER BUDGET"}`);
  if (!within) process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
