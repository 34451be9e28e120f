import autocannon from "autocannon";
import { addUsage, type CpuUsage, snapshot, usageBetween } from "./cpu.ts";
import type { BenchAdmin } from "./setup.ts";
import type { DevServer } from "./wrangler-dev.ts";

export const AUTH = "/api/v1/admin/auth";

/** The routes measured, each against the real worker and against its floor (bench/floor/). */
export const ROUTES = ["me", "refresh", "login"] as const;
export type Route = (typeof ROUTES)[number];

export const ROUTE_LABELS: Record<Route, string> = { me: "GET /me", refresh: "POST /refresh", login: "POST /login" };

export type TargetKey = "ceiling" | Route | `${Route}-floor` | "pbkdf2";

export interface RunOptions {
  durationSeconds: number;
  connections: number;
  cores: number;
}

/** One bounded autocannon run against one target. */
export interface RunSample {
  target: string;
  round: number;
  wallSeconds: number;
  responses: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts: requests with no HTTP answer at all. */
  errors: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  cpu: CpuUsage;
}

/** autocannon takes the path from the URL (its options have no `path`), hence apart. */
export interface Prepared {
  path: string;
  options: Omit<autocannon.Options, "url" | "connections" | "duration">;
}

export interface Target<K extends string = TargetKey> {
  key: K;
  label: string;
  server: DevServer;
  /** Builds this run's request; may do setup requests first (logins for /refresh). */
  prepare(connections: number): Promise<Prepared>;
}

/**
 * Client addresses for logins, from 198.18.0.0/15 (RFC 2544's benchmarking
 * range, the same range the test suite uses). wrangler dev passes a
 * client-supplied `cf-connecting-ip` header through to the worker unchanged
 * (checked at start-up), so each login presents a new address and the
 * 10-per-60-s per-IP limit never bites, while the rate limiter is still called
 * on every login, as in production. The per-email lockout is kept from biting
 * by one admin per connection (see createBenchAdmins).
 */
let nextAddress = 1;
export function nextClientIp(): string {
  const n = nextAddress++;
  if (n >= 2 ** 17) throw new Error("ran out of 198.18.0.0/15 addresses for distinct login clients");
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** One login outside the measurement (to get tokens), from its own client address. */
export async function login(server: DevServer, admin: BenchAdmin, ip = nextClientIp()): Promise<{ status: number; tokens: TokenPair | null }> {
  const response = await fetch(`${server.url}${AUTH}/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    body: JSON.stringify(admin),
  });
  const text = await response.text();
  return { status: response.status, tokens: response.ok ? (JSON.parse(text) as TokenPair) : null };
}

async function loginOrThrow(server: DevServer, admin: BenchAdmin): Promise<TokenPair> {
  const { status, tokens } = await login(server, admin);
  if (!tokens) throw new Error(`setup login failed with HTTP ${status}`);
  return tokens;
}

/**
 * Every target in the order of a round: the ceiling, then each route against
 * the real worker and right after it against its floor, so that a drift of
 * the machine touches the two sides of each ratio alike (see `roundOrder`),
 * then PBKDF2 only.
 */
export function targets(servers: { ceiling: DevServer; auth: DevServer; floor: DevServer; pbkdf2: DevServer }, admins: BenchAdmin[]): Target[] {
  const [admin] = admins;
  if (!admin) throw new Error("no bench admin");
  return [
    {
      key: "ceiling",
      label: "ceiling (bare Hono)",
      server: servers.ceiling,
      prepare: async () => ({ path: "/", options: { method: "GET" } }),
    },
    ...ROUTES.flatMap((route) => [routeTarget(route, servers.auth, admins, false), routeTarget(route, servers.floor, admins, true)]),
    {
      key: "pbkdf2",
      label: "PBKDF2 only",
      server: servers.pbkdf2,
      prepare: async () => ({ path: "/", options: { method: "POST", headers: { "content-type": "application/json" }, body: loginBody(admin) } }),
    },
  ];
}

/**
 * The order of one round: as listed in odd rounds; in even ones each route's
 * floor goes before the route. What one run leaves behind (deferred KV
 * writes, log lines wrangler is still printing) lands in the next run's
 * window, so the second of a pair would otherwise always pay for the first.
 */
export function roundOrder(list: Target[], round: number): Target[] {
  if (round % 2 === 1) return list;
  const order = [...list];
  for (let index = 0; index + 1 < order.length; index++) {
    const [first, second] = [order[index] as Target, order[index + 1] as Target];
    if (second.key === `${first.key}-floor`) order.splice(index, 2, second, first);
  }
  return order;
}

const loginBody = (who: BenchAdmin) => JSON.stringify({ email: who.email, password: who.password });

/** One route against one server: the real worker, or the floor, which answers the same paths with the same token fields. */
function routeTarget(route: Route, server: DevServer, admins: BenchAdmin[], floor: boolean): Target {
  const key: TargetKey = floor ? `${route}-floor` : route;
  const label = floor ? `floor ${ROUTE_LABELS[route]}` : ROUTE_LABELS[route];
  const admin = admins[0] as BenchAdmin;
  if (route === "me") {
    let accessToken: string | null = null;
    return {
      key,
      label,
      server,
      prepare: async () => {
        // One session for all connections: /me only reads, and the 15-minute access token outlives the bench.
        accessToken ??= (await loginOrThrow(server, admin)).access_token;
        return { path: `${AUTH}/me`, options: { method: "GET", headers: { authorization: `Bearer ${accessToken}` } } };
      },
    };
  }
  if (route === "refresh") {
    return {
      key,
      label,
      server,
      prepare: async (connections) => {
        // One session per connection, logged in afresh each run: a run that ends with a request in
        // flight leaves that chain's last token rotated out on the server, so chains are not reused.
        const chains: string[] = [];
        for (let i = 0; i < connections; i++) chains.push((await loginOrThrow(server, admin)).refresh_token);
        let assigned = 0;
        return {
          path: `${AUTH}/refresh`,
          options: {
            setupClient: (client: autocannon.Client) => {
              const chain = { token: chains[assigned++ % chains.length] as string };
              // Per-client requests whose closures hold this connection's token: autocannon's own
              // `context` is reset every time a one-request sequence wraps around, so it cannot carry it.
              client.setRequests([
                {
                  method: "POST",
                  path: `${AUTH}/refresh`,
                  headers: { "content-type": "application/json" },
                  setupRequest: (request) => ({ ...request, body: JSON.stringify({ refresh_token: chain.token }) }),
                  onResponse: (status, body) => {
                    // A refused refresh means the chain broke; it then keeps failing and shows as non-2xx.
                    if (status === 200) chain.token = (JSON.parse(body) as TokenPair).refresh_token;
                  },
                },
              ]);
            },
          },
        };
      },
    };
  }
  return {
    key,
    label,
    server,
    prepare: async () => {
      let assigned = 0;
      return {
        path: `${AUTH}/login`,
        options: {
          // Each connection logs in as its own admin (see createBenchAdmins), from a new address each time.
          setupClient: (client: autocannon.Client) => {
            const own = loginBody(admins[assigned++ % admins.length] as BenchAdmin);
            client.setRequests([
              {
                method: "POST",
                path: `${AUTH}/login`,
                body: own,
                setupRequest: (request) => ({
                  ...request,
                  headers: { ...request.headers, "content-type": "application/json", "cf-connecting-ip": nextClientIp() },
                }),
              },
            ]);
          },
        },
      };
    },
  };
}

export async function runTarget(
  target: Target<string>,
  round: number,
  options: RunOptions,
  current: { instance: autocannon.Instance | null },
): Promise<RunSample> {
  const { path, options: extra } = await target.prepare(options.connections);
  const sample: RunSample = {
    target: target.key,
    round,
    wallSeconds: 0,
    responses: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    statuses: {},
    latenciesMs: [],
    cpu: emptyUsage(),
  };
  const before = snapshot(target.server.process.child.pid, target.server.port);
  const started = performance.now();
  let settle: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve());
  });
  // The callback form returns the instance, whose per-response events carry status and latency.
  const instance = autocannon(
    {
      ...extra,
      url: `${target.server.url}${path}`,
      connections: options.connections,
      duration: options.durationSeconds,
      // A request with no answer in 10 s counts as an error rather than stalling the run.
      timeout: 10,
    },
    (error: unknown) => settle(error),
  );
  current.instance = instance;
  instance.on("response", (_client: autocannon.Client, statusCode: number, _bytes: number, responseTime: number) => {
    sample.responses++;
    sample.latenciesMs.push(responseTime);
    sample.statuses[statusCode] = (sample.statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) sample.ok++;
    else sample.non2xx++;
  });
  instance.on("reqError", () => {
    sample.errors++;
  });
  await finished;
  current.instance = null;
  sample.wallSeconds = (performance.now() - started) / 1000;
  sample.cpu = usageBetween(before, snapshot(target.server.process.child.pid, target.server.port), options.cores);
  return sample;
}

function emptyUsage(): CpuUsage {
  return { loadGenerator: 0, wranglerNode: 0, workerdProxy: 0, workerdWorker: 0, machineBusy: 0, machineCapacity: 0 };
}

export function totalUsage(samples: RunSample[]): CpuUsage {
  return samples.map((sample) => sample.cpu).reduce(addUsage, emptyUsage());
}
