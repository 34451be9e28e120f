import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Test-only: the drizzle/ migrations, read by vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
      /** Test-only: each Rate Limiting binding's `simple` settings from wrangler.toml, read by vitest.config.ts. */
      TEST_RATE_LIMITS: Record<string, { limit: number; period: number }>;
      /** Test-only: a second local D1, migrated like DB, holding the older rows a lagging replica would serve. */
      STALE_REPLICA: D1Database;
    }
  }
}
