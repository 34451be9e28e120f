import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clientKey, formatIp, parseIp, siteKey } from "../src/http/client-ip.ts";
import worker from "../src/index.ts";
import { d1Interleaving } from "./support/interleaving-d1.ts";
import { BASE_URL, createAdmin, PREFIX, postJson, randomClientIp } from "./support/worker.ts";

function attempt(email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${PREFIX}/login`, { email, password }, { "cf-connecting-ip": randomClientIp(), ...headers });
}

async function auditRowsOf(email: string) {
  const { results } = await env.DB.prepare("SELECT event, reason, ip, user_agent, refused_attempts FROM audit_events WHERE email = ? ORDER BY id")
    .bind(email.toLowerCase())
    .all<{ event: string; reason: string | null; ip: string | null; user_agent: string | null; refused_attempts: number }>();
  return results;
}

/** A random /64 in 2001:db8::/32 (for documentation), so tests do not share the rate limiter's counts, and the /64 beside it. */
function randomPrefixes64(): [string, string] {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
  return [`2001:db8:${a.toString(16)}:${b.toString(16)}`, `2001:db8:${a.toString(16)}:${(b ^ 1).toString(16)}`];
}

describe("IP addresses", () => {
  it.each([
    ["198.18.0.1", "198.18.0.1", "198.18.0.1", null],
    ["2001:db8::1", "2001:db8::1", "2001:db8::/64", "2001:db8::/48"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", "2001:db8::/64", "2001:db8::/48"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "2001:db8::/64", "2001:db8::/48"],
    ["0:0:1:0:0:1:1:1", "::1:0:0:1:1:1", "0:0:1::/64", "0:0:1::/48"],
    ["1:1:1:1:0:0:1:0", "1:1:1:1::1:0", "1:1:1:1::/64", "1:1:1::/48"],
    ["1:0:0:1:1:0:0:0", "1:0:0:1:1::", "1:0:0:1::/64", "1::/48"],
    ["1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1", "1:0:1:1::/64", "1:0:1::/48"],
    ["2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb::/64", "2001:db8:aa::/48"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", "2001:db8:0:1::/64", "2001:db8::/48"],
    ["2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8:ffff:ffff::/64", "2001:db8:ffff::/48"],
    ["::", "::", "::/64", "::/48"],
    ["::ffff:198.18.0.1", "198.18.0.1", "198.18.0.1", null],
    ["64:ff9b::198.18.0.1", "64:ff9b::c612:1", "64:ff9b::/64", "64:ff9b::/48"],
  ])("%s is %s, counted as %s and per site as %s", (text, canonical, key, site) => {
    const ip = parseIp(text);
    expect(ip && formatIp(ip)).toBe(canonical);
    expect(ip && clientKey(ip)).toBe(key);
    expect(ip && siteKey(ip)).toBe(site);
  });

  it.each([
    "",
    "unknown",
    "198.18.0",
    "198.18.0.256",
    "198.018.0.1",
    "2001:db8::1::2",
    "2001:db8:::1",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1::2:3:4:5:6:7:8",
    "12345::1",
    "fe80::1%eth0",
    "[2001:db8::1]",
    " 198.18.0.1",
  ])("%j is not an address", (text) => {
    expect(parseIp(text)).toBeNull();
  });
});

describe("what is stored of a request", () => {
  it("keeps at most 512 characters of the User-Agent, and an IP only if it parses, in its canonical form", async () => {
    const admin = await createAdmin();
    const userAgent = `${"x".repeat(30_000)}`;
    await attempt(admin.email, "wrong", { "user-agent": userAgent, "cf-connecting-ip": "2001:0DB8:0:0::1" });
    await attempt(admin.email, admin.password, { "user-agent": userAgent, "cf-connecting-ip": "not an address" });
    const rows = await auditRowsOf(admin.email);
    expect(rows.map((row) => [row.event, row.ip, row.user_agent?.length])).toEqual([
      ["login_failed", "2001:db8::1", 512],
      ["login_succeeded", null, 512],
    ]);
    const session = await env.DB.prepare("SELECT ip, user_agent FROM sessions WHERE admin_id = ?").bind(admin.id).first<{ ip: null; user_agent: string }>();
    expect([session?.ip, session?.user_agent.length]).toEqual([null, 512]);
  });

  it("records an admin's lockout once, with a count of the attempts it refused, however many there are", async () => {
    const { email } = await createAdmin();
    const userAgent = "y".repeat(30_000);
    for (let i = 0; i < 5; i++) expect((await attempt(email, `wrong ${i}`, { "user-agent": userAgent })).status).toBe(401);
    for (let i = 0; i < 50; i++) expect((await attempt(email, "still wrong", { "user-agent": userAgent })).status).toBe(429);
    const rows = await auditRowsOf(email);
    expect(rows.map((row) => [row.event, row.reason])).toEqual([...Array(5).fill(["login_failed", "wrong_password"]), ["login_locked_out", null]]);
    expect(rows.at(-1)?.refused_attempts).toBe(50);
  });
});

describe("a lockout's one audit row", () => {
  async function lockoutRows(email: string) {
    const { results } = await env.DB.prepare("SELECT refused_attempts FROM audit_events WHERE email = ? AND event = 'login_locked_out' ORDER BY id")
      .bind(email)
      .all<{ refused_attempts: number }>();
    return results.map((row) => row.refused_attempts);
  }

  it("is written once for a parallel burst, by the attempt that set the lock, and counts what it refused", async () => {
    const { email } = await createAdmin();
    const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => attempt(email, `wrong ${i}`)));
    const refused = responses.filter((response) => response.status === 429).length;
    expect(refused).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < 3; i++) expect((await attempt(email, "again")).status).toBe(429);
    expect(await lockoutRows(email)).toEqual([refused + 3]);
  });

  it("counts a guess that read no lock but whose batch finds one set meanwhile on that lock's row, never an earlier lockout's", async () => {
    const admin = await createAdmin();
    const email = admin.email.toLowerCase();
    for (let i = 0; i < 5; i++) await attempt(email, `wrong ${i}`);
    expect(await lockoutRows(email)).toEqual([0]);
    await env.DB.prepare("UPDATE login_throttle SET locked_until = ? WHERE email = ?")
      .bind(Date.now() - 1, email)
      .run();

    // This guess has read the email unlocked; before its batch, another guess fails and sets a new lock.
    let meanwhile: Response | undefined;
    const failMeanwhile = async () => {
      meanwhile = await attempt(email, "meanwhile");
    };
    const request = new Request(`${BASE_URL}${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
      body: JSON.stringify({ email, password: "wrong again" }),
    });
    const refused = await worker.fetch(request, { ...env, DB: d1Interleaving(1, failMeanwhile) }, createExecutionContext());
    expect([refused.status, meanwhile?.status]).toEqual([429, 401]);
    expect(await lockoutRows(email)).toEqual([0, 1]);
  });
});

describe("the per-client login limit", () => {
  it("counts an IPv6 client by its /64, whichever of its addresses it uses and however it writes them", async () => {
    const [prefix, besideIt] = randomPrefixes64();
    const statuses: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const address = i % 2 ? `${prefix}::${i.toString(16)}` : `${prefix}:0:0:0:${i.toString(16)}`;
      statuses.push((await attempt(`v6-${i}-${crypto.randomUUID()}@example.com`, "x", { "cf-connecting-ip": address })).status);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const limited = await attempt(`v6-${crypto.randomUUID()}@example.com`, "x", { "cf-connecting-ip": `${prefix}:ffff:ffff:ffff:ffff` });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "60"]);
    const neighbour = await attempt(`v6-${crypto.randomUUID()}@example.com`, "x", { "cf-connecting-ip": `${besideIt}::1` });
    expect(neighbour.status).toBe(401);
  });
});
