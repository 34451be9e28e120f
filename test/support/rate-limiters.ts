import { env } from "cloudflare:workers";

type LimiterName = "LOGIN_RATE_LIMITER" | "LOGIN_SITE_RATE_LIMITER" | "SESSION_RATE_LIMITER";

export interface StandInLimiter extends RateLimit {
  /** The key of every `limit()` call, in order. */
  readonly keys: string[];
}

/**
 * A Rate Limiting binding's stand-in with the limit wrangler.toml gives the
 * real one (or `limit` to override it), counting in a single window that never
 * rolls over. miniflare's limiter counts in windows aligned to the wall clock,
 * so a test that spans a minute boundary would see its count reset: the real
 * binding cannot be driven to a limit deterministically. The real bindings
 * still serve every other test.
 */
export function standInLimiter(name: LimiterName, limit = limitOf(name)): StandInLimiter {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    async limit({ key }) {
      keys.push(key);
      const count = counts.get(key) ?? 0;
      if (count >= limit) return { success: false };
      counts.set(key, count + 1);
      return { success: true };
    },
  };
}

function limitOf(name: LimiterName): number {
  const settings = env.TEST_RATE_LIMITS[name];
  if (!settings) throw new Error(`wrangler.toml has no ratelimits binding ${name}`);
  return settings.limit;
}
