import type { RequestOrigin } from "../audit/audit-log.ts";
import type { Config } from "../config/config.ts";
import type { SecretBox } from "../mfa/secret-box.ts";
import type { LoginRateLimiters } from "../throttle/client-rate-limit.ts";
import type { Keyring } from "../tokens/keyring.ts";

/** What the auth operations need from the outside world, passed in so each can be tested alone. */
export interface AuthContext {
  d1: D1Database;
  kv: KVNamespace;
  /** The Workers Rate Limiting bindings that cap sign-in attempts per client and per IPv6 /48. */
  loginRateLimiters: LoginRateLimiters;
  /** The Workers Rate Limiting binding that caps, per session, bearer calls that write a row each. */
  sessionRateLimiter: RateLimit;
  config: Config;
  keyring: Keyring;
  /** Seals and opens TOTP secrets under `MFA_ENCRYPTION_KEYS`. */
  secretBox: SecretBox;
  /** Epoch ms of the request. */
  now: number;
  origin: RequestOrigin;
  /** Whom the per-client login limit counts: an IPv4 address or an IPv6 /64; null if unknown. */
  clientKey: string | null;
  /** Whom the per-site login limit counts: an IPv6 client's /48; null for IPv4 or if unknown. */
  siteKey: string | null;
  /** Work that must finish but need not delay the response (KV cache writes). */
  defer(task: Promise<unknown>): void;
}
