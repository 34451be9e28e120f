import worker from "../../src/index.ts";
import { REQUEST_ID_HEADER, RTT_VARS, type SettledTrips, TRIP_HEADERS, TRIPS_PATH } from "./protocol.ts";
import { type RequestTrips, requestTrips, type SimulatedRtt, simulateLatency } from "./simulated-latency.ts";

/**
 * The real worker (src/index.ts's `fetch`, untouched) as an edge location far
 * from D1's primary sees it: its D1 and KV bindings are wrapped by
 * simulateLatency, everything else in `env` is the real worker's own. It runs
 * under bench/latency/wrangler.toml, which bench/lib/latency-config.ts checks
 * against wrangler.toml (same runtime, bundling, assets, bindings, vars and
 * secrets). The one thing added is bookkeeping the bench reads: round-trip
 * counts on each answer, and TRIPS_PATH for the ones made after it.
 */
type LatencyEnv = Env & Partial<Record<(typeof RTT_VARS)[keyof typeof RTT_VARS], string>>;

/** Trips of requests whose deferred work has finished, until the bench reads them. */
const settled = new Map<string, RequestTrips>();

function rttOf(env: LatencyEnv): SimulatedRtt {
  const read = (name: string, text: string | undefined): number => {
    const value = Number(text);
    if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of milliseconds ≥ 0`);
    return value;
  };
  return { primaryMs: read(RTT_VARS.primary, env[RTT_VARS.primary]), replicaMs: read(RTT_VARS.replica, env[RTT_VARS.replica]) };
}

/** Waits for every `waitUntil` task, including those added while waiting. */
async function allSettled(tasks: Promise<unknown>[]): Promise<void> {
  for (let seen = 0; seen < tasks.length; ) {
    const next = tasks.slice(seen);
    seen = tasks.length;
    await Promise.allSettled(next);
  }
}

export default {
  async fetch(request: Request, env: LatencyEnv, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname === TRIPS_PATH) {
      const body: SettledTrips = {};
      for (const [id, trips] of settled) body[id] = { beforeAnswer: trips.beforeAnswer, afterAnswer: trips.afterAnswer };
      settled.clear();
      return Response.json(body);
    }
    const rtt = rttOf(env);
    const id = request.headers.get(REQUEST_ID_HEADER);
    // The app sees the request a client would send.
    const forwarded = new Request(request);
    forwarded.headers.delete(REQUEST_ID_HEADER);
    const trips = requestTrips();
    const deferred: Promise<unknown>[] = [];
    const requestCtx = new Proxy(ctx, {
      get(target, property) {
        if (property === "waitUntil") {
          return (task: Promise<unknown>) => {
            deferred.push(task);
            target.waitUntil(task);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await worker.fetch(forwarded, { ...env, ...simulateLatency(env, rtt, trips) }, requestCtx);
    trips.answered = true;
    if (id !== null) ctx.waitUntil(allSettled(deferred).then(() => settled.set(id, trips)));
    const answer = new Response(response.body, response);
    for (const [trip, header] of Object.entries(TRIP_HEADERS) as [keyof typeof TRIP_HEADERS, string][]) {
      answer.headers.set(header, String(trips.beforeAnswer[trip]));
    }
    return answer;
  },
} satisfies ExportedHandler<LatencyEnv>;
