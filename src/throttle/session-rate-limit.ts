import { storage } from "../db/client.ts";
import { rateLimited } from "./rate-limited.ts";

/**
 * Counts one call of a bearer route that writes a row per call (MFA setup,
 * logout, ending a session, the passkey routes) against the caller's session,
 * `SESSION_RATE_LIMITER` in wrangler.toml. A session is opened only by a
 * sign-in, itself limited, so this bounds what a stolen or scripted token can
 * write per minute by the number of sessions, not by the number of calls.
 */
export async function checkSessionRateLimit(limiter: RateLimit, sessionId: string): Promise<void> {
  const { success } = await storage(limiter.limit({ key: sessionId }));
  if (!success) throw rateLimited();
}
