/**
 * An IP address as Cloudflare's `CF-Connecting-IP` carries it, parsed
 * strictly: four decimal octets, or eight 16-bit groups (with at most one
 * `::`, and optionally a trailing dotted IPv4), no zone, no brackets.
 */
export type IpAddress = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const GROUP = /^[0-9a-f]{1,4}$/i;

/** `::ffff:0:0/96`: an IPv4 client seen through an IPv6 socket (RFC 4291 §2.5.5.2) is that IPv4 client. */
const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

export function parseIp(text: string): IpAddress | null {
  if (IPV4.test(text)) return { version: 4, bytes: Uint8Array.from(text.split("."), Number) };
  const v6 = parseIpv6(text);
  if (!v6) return null;
  const mapped = IPV4_MAPPED_PREFIX.every((byte, index) => v6[index] === byte);
  return mapped ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 };
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
  const [head = [], tail] = groups;
  const last = (tail ?? head).at(-1);
  // A dotted IPv4 may stand for the last two groups.
  const embedded = last !== undefined && IPV4.test(last) ? last.split(".").map(Number) : null;
  if (embedded) (tail ?? head).pop();
  const words = [...head, ...(tail ?? [])];
  if (!words.every((word) => GROUP.test(word))) return null;
  const total = words.length + (embedded ? 2 : 0);
  if (tail === undefined ? total !== 8 : total > 7) return null;
  const bytes = new Uint8Array(16);
  const put = (word: string, at: number) => {
    const value = Number.parseInt(word, 16);
    bytes.set([value >> 8, value & 0xff], at);
  };
  for (const [index, word] of head.entries()) put(word, index * 2);
  const tailStart = 16 - (tail?.length ?? 0) * 2 - (embedded ? 4 : 0);
  for (const [index, word] of (tail ?? []).entries()) put(word, tailStart + index * 2);
  if (embedded) bytes.set(embedded, 12);
  return bytes;
}

/** The canonical text: dotted IPv4, or IPv6 as RFC 5952 §4 writes it (lower case, no leading zeros, the longest run of zero groups as `::`). */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return ip.bytes.join(".");
  const words = Array.from({ length: 8 }, (_, index) => ((ip.bytes[index * 2] ?? 0) << 8) | (ip.bytes[index * 2 + 1] ?? 0));
  const full = words.map((word) => word.toString(16)).join(":");
  // Runs of two or more zero groups; the longest (the first of equals) becomes `::`, a lone zero stays (§4.2.2).
  const zeros = (run: string) => run.replaceAll(":", "").length;
  const longest = (full.match(/(^|:)0(:0)+(:|$)/g) ?? []).reduce((best, run) => (zeros(run) > zeros(best) ? run : best), "");
  return longest ? full.replace(longest, "::") : full;
}

/**
 * Who a per-client limit counts: an IPv4 address, or an IPv6 client's /64.
 * An IPv6 host is usually given a whole /64 and picks any address in it at
 * will (RFC 4941 temporary addresses), so counting its addresses one by one
 * would count nothing.
 */
export function clientKey(ip: IpAddress): string {
  if (ip.version === 4) return formatIp(ip);
  const prefix = new Uint8Array(16);
  prefix.set(ip.bytes.subarray(0, 8));
  return `${formatIp({ version: 6, bytes: prefix })}/64`;
}

/**
 * Whom the looser per-site limit counts: an IPv6 client's /48, null for IPv4.
 * ISPs give a home a /56 or a /48 and tunnel brokers a /48 (RFC 6177 §2), so
 * one customer holds 256 to 65,536 /64s, each with its own per-client count;
 * counting the /48 as well caps what all of them add up to. An IPv4 client
 * has one address, which the per-client limit already counts.
 */
export function siteKey(ip: IpAddress): string | null {
  if (ip.version === 4) return null;
  const prefix = new Uint8Array(16);
  prefix.set(ip.bytes.subarray(0, 6));
  return `${formatIp({ version: 6, bytes: prefix })}/48`;
}
