import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { generateSigningJwk } from "./scripts/lib/signing-key.ts";

export default defineConfig(async () => {
  const [migrations, current, retiring] = await Promise.all([
    readD1Migrations("./drizzle"),
    generateSigningJwk(),
    generateSigningJwk(),
  ]);
  // Test-only keys, as the `JWT_SIGNING_KEYS` secret: the first signs, the second
  // only verifies (a key being rotated out).
  process.env.JWT_SIGNING_KEYS = JSON.stringify([current, retiring]);
  return {
    test: {
      projects: [
        {
          // The worker, inside workerd, against real local D1 and KV.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.jsonc" },
              miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
            }),
          ],
          test: { name: "worker", include: ["test/*.test.ts"], setupFiles: ["./test/setup.ts"] },
        },
        {
          // The operator CLI, in Node, as operators run it.
          test: { name: "cli", include: ["test/cli/*.test.ts"], environment: "node", testTimeout: 60_000 },
        },
      ],
    },
  };
});
