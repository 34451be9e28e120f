import { storage } from "../db/client.ts";
import { rateLimited } from "./rate-limited.ts";

/** The two Workers Rate Limiting bindings every sign-in attempt is counted by (limits in wrangler.toml). */
export interface LoginRateLimiters {
  /** `LOGIN_RATE_LIMITER`: per IPv4 address or IPv6 /64. */
  client: RateLimit;
  /** `LOGIN_SITE_RATE_LIMITER`: per IPv6 /48, looser. */
  site: RateLimit;
}

/** Who is counted, from `clientRequest`: `clientKey` and `siteKey` of src/http/client-ip.ts. */
export interface ClientKeys {
  clientKey: string | null;
  siteKey: string | null;
}

/** Requests whose `CF-Connecting-IP` does not parse share one count rather than escaping the limit. */
const UNKNOWN_CLIENT = "unknown";

const NOT_COUNTED: RateLimitOutcome = { success: true };

/**
 * Counts one sign-in attempt (a password login; a passkey's options and
 * verify) and refuses it if the client's limit or its /48's is spent. Both
 * bindings are counters local to the colo, no D1 or KV round trip, so they are
 * asked at once; an IPv4 client has no /48 and is counted once.
 */
export async function checkClientRateLimits(limiters: LoginRateLimiters, client: ClientKeys): Promise<void> {
  const [byClient, bySite] = await storage(
    Promise.all([
      limiters.client.limit({ key: client.clientKey ?? UNKNOWN_CLIENT }),
      client.siteKey === null ? NOT_COUNTED : limiters.site.limit({ key: client.siteKey }),
    ]),
  );
  if (!byClient.success || !bySite.success) throw rateLimited();
}
