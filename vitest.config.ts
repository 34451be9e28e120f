import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildAssets } from "./scripts/lib/build-assets.ts";
import { generateEncryptionKey } from "./scripts/lib/encryption-key.ts";
import { generateSigningJwk } from "./scripts/lib/signing-key.ts";
import { readWranglerConfig } from "./scripts/lib/wrangler.ts";

export default defineConfig(async () => {
  // wrangler builds the static assets (`build.command`) for dev and deploy; the test pool does not.
  buildAssets();
  const [migrations, current, retiring] = await Promise.all([readD1Migrations("./drizzle"), generateSigningJwk(), generateSigningJwk()]);
  // Test-only keys, as the `JWT_SIGNING_KEYS` secret: the first signs, the second
  // only verifies (a key being rotated out). Bound explicitly, so a developer's
  // .dev.vars never leaks into the tests; set in process.env too, so wrangler
  // does not warn that the secret is missing on a fresh clone.
  const signingKeys = JSON.stringify([current, retiring]);
  // Likewise `MFA_ENCRYPTION_KEYS`: the first seals, the second only opens.
  const encryptionKeys = JSON.stringify([generateEncryptionKey(), generateEncryptionKey()]);
  // The Rate Limiting bindings' limits as wrangler.toml sets them, for the tests' stand-ins (test/support/rate-limiters.ts).
  const rateLimits = Object.fromEntries((readWranglerConfig().ratelimits ?? []).map(({ name, simple }) => [name, simple]));
  process.env.JWT_SIGNING_KEYS = signingKeys;
  process.env.MFA_ENCRYPTION_KEYS = encryptionKeys;
  return {
    test: {
      // The worker's one-line-per-request log is for production; in tests it is noise. (Vitest
      // reads this option from the root configuration only.)
      onConsoleLog: (log: string) => !log.includes('"level":"info"'),
      projects: [
        {
          // The worker, inside workerd, against real local D1 and KV.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, TEST_RATE_LIMITS: rateLimits, JWT_SIGNING_KEYS: signingKeys, MFA_ENCRYPTION_KEYS: encryptionKeys },
                // A second real local D1, served as a read replica that lags: test/support/stale-replica.ts.
                d1Databases: { STALE_REPLICA: "stale-replica" },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/*.test.ts"],
            setupFiles: ["./test/setup.ts"],
          },
        },
        {
          // The operator CLI, in Node, as operators run it: each call starts wrangler, so it is slow
          // while the worker project runs beside it.
          test: { name: "cli", include: ["test/cli/*.test.ts"], environment: "node", testTimeout: 180_000 },
        },
        {
          // The docs page in Debian's chromium, served by `npm run dev` as a new user starts it.
          test: { name: "browser", include: ["test/browser/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 180_000 },
        },
      ],
    },
  };
});
