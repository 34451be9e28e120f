import type { RequestOrigin } from "../audit/audit-log.ts";
import { clientKey, formatIp, parseIp, siteKey } from "./client-ip.ts";

/**
 * Real browsers and HTTP clients send a few hundred characters at most; the
 * rest of a longer header is an attacker's padding, which would be stored in
 * every audit row and session for a year.
 */
const MAX_USER_AGENT_CHARACTERS = 512;

export interface ClientRequest {
  /** What is recorded of the client (audit rows, sessions): bounded, and an IP only if it is one. */
  origin: RequestOrigin;
  /** Whom the per-client login limit counts: an IPv4 address or an IPv6 /64 (see `clientKey`); null if unknown. */
  clientKey: string | null;
  /** Whom the per-site login limit counts: an IPv6 client's /48 (see `siteKey`); null for IPv4 or if unknown. */
  siteKey: string | null;
}

export function clientRequest(request: Request): ClientRequest {
  const ip = parseIp(request.headers.get("cf-connecting-ip") ?? "");
  const userAgent = request.headers.get("user-agent");
  return {
    origin: {
      ip: ip && formatIp(ip),
      // Whole code points: a cut never leaves half a surrogate pair.
      userAgent: userAgent === null ? null : Array.from(userAgent).slice(0, MAX_USER_AGENT_CHARACTERS).join(""),
      colo: (request.cf?.colo as string | undefined) ?? null,
    },
    clientKey: ip && clientKey(ip),
    siteKey: ip && siteKey(ip),
  };
}
