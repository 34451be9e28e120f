/**
 * The bench's model of an edge location far from D1's primary, as bindings
 * that wrap the real ones: every call that leaves the edge waits the round
 * trip to where it is served, half before the real call and half after (the
 * statement runs at the far end, mid-trip), and is counted.
 *
 * Where a D1 call is served follows Cloudflare's read replication docs
 * (https://developers.cloudflare.com/d1/best-practices/read-replication/):
 * without the Sessions API every query goes to the primary; a session's
 * queries may be served by a replica, "first-primary" sends a session's first
 * query to the primary, and a replica forwards any write to the primary. So:
 *
 * - the binding's own calls (`prepare(…).first/all/run/raw`, `batch`, `exec`,
 *   `dump`) are primary round trips;
 * - a call on a `withSession(…)` handle is a replica round trip when every
 *   statement in it only reads (`SELECT`, or `WITH … SELECT` without a write),
 *   a primary one otherwise, and always for the first call of a
 *   "first-primary" session. A replica that has to catch up to a bookmark
 *   first waits for replication, which this model does not simulate.
 *
 * A batch is one round trip, whatever its length. KV reads wait the replica
 * figure (KV serves reads from the location's cache); KV writes wait the
 * primary figure (a write leaves the location for KV's central store). The
 * rate limiter is left alone: its counters are kept in the location.
 */

export interface SimulatedRtt {
  primaryMs: number;
  replicaMs: number;
}

export interface RoundTrips {
  primary: number;
  replica: number;
  kvReads: number;
  kvWrites: number;
}

/**
 * One request's round trips: those back before its answer was returned (its
 * latency waited for them) and those still under way then or started later
 * (`waitUntil` work, which the answer does not wait for).
 */
export interface RequestTrips {
  beforeAnswer: RoundTrips;
  afterAnswer: RoundTrips;
  answered: boolean;
}

export const noTrips = (): RoundTrips => ({ primary: 0, replica: 0, kvReads: 0, kvWrites: 0 });

export function requestTrips(): RequestTrips {
  return { beforeAnswer: noTrips(), afterAnswer: noTrips(), answered: false };
}

export type Wait = (ms: number) => Promise<void>;

const sleep: Wait = (ms) => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)));

type Trip = keyof RoundTrips;

/** Decides where a call with these statements goes; `null` is a statement whose SQL the wrapper never saw. */
type Router = (statements: (string | null)[]) => "primary" | "replica";

const WRITE_KEYWORD = /\b(insert|update|delete|replace|create|drop|alter|pragma|vacuum|reindex|attach|detach)\b/;

/**
 * Whether a statement only reads: it starts with SELECT, or with WITH and
 * writes nothing (SQLite's `WITH … INSERT/UPDATE/DELETE` is a write). String
 * literals and quoted identifiers are left out of the search for write
 * keywords, so a column named "updated_at" or a literal 'delete' does not
 * count; comments are dropped first.
 */
export function isReadOnlyStatement(sql: string): boolean {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]/g, " ")
    .trim()
    .toLowerCase();
  if (/^select\b/.test(text)) return true;
  return /^with\b/.test(text) && !WRITE_KEYWORD.test(text);
}

const onPrimary: Router = () => "primary";

function sessionRouter(constraint: unknown): Router {
  let firstToPrimary = constraint === "first-primary";
  return (statements) => {
    const first = firstToPrimary;
    firstToPrimary = false;
    if (first) return "primary";
    return statements.every((sql) => sql !== null && isReadOnlyStatement(sql)) ? "replica" : "primary";
  };
}

const STATEMENT_CALLS = new Set(["first", "all", "run", "raw"]);
const KV_READS = new Set(["get", "getWithMetadata", "list"]);
const KV_WRITES = new Set(["put", "delete"]);

/**
 * The D1 and KV bindings with simulated distance. `trips` is the one request's
 * count; the caller sets `trips.answered` once the answer is out, so the
 * calls made afterwards (in `waitUntil`) are counted apart.
 */
export function simulateLatency(
  bindings: { DB: D1Database; REVOCATIONS: KVNamespace },
  rtt: SimulatedRtt,
  trips: RequestTrips,
  wait: Wait = sleep,
): { DB: D1Database; REVOCATIONS: KVNamespace } {
  const waits: Record<Trip, number> = { primary: rtt.primaryMs, replica: rtt.replicaMs, kvReads: rtt.replicaMs, kvWrites: rtt.primaryMs };

  async function roundTrip<T>(trip: Trip, call: () => Promise<T>): Promise<T> {
    const ms = waits[trip];
    await wait(ms / 2);
    try {
      return await call();
    } finally {
      await wait(ms / 2);
      // Counted once back: a write handed to `waitUntil` is started before the answer but not waited for.
      (trips.answered ? trips.afterAnswer : trips.beforeAnswer)[trip] += 1;
    }
  }

  /** Each wrapped statement, to its SQL and the real statement a batch must be given. */
  const known = new WeakMap<D1PreparedStatement, { real: D1PreparedStatement; sql: string }>();

  const wrapStatement = (real: D1PreparedStatement, sql: string, route: Router): D1PreparedStatement => {
    const wrapped = new Proxy(real, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args), sql, route);
        if (STATEMENT_CALLS.has(String(property))) return (...args: unknown[]) => roundTrip(route([sql]), () => value.apply(target, args));
        return value.bind(target);
      },
    });
    known.set(wrapped, { real, sql });
    return wrapped;
  };

  const wrapDatabase = <T extends D1Database | D1DatabaseSession>(real: T, route: Router): T =>
    new Proxy(real, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        switch (property) {
          case "prepare":
            return (sql: string) => wrapStatement(value.call(target, sql), sql, route);
          case "batch":
            return (statements: D1PreparedStatement[]) =>
              roundTrip(route(statements.map((statement) => known.get(statement)?.sql ?? null)), () =>
                value.call(
                  target,
                  statements.map((statement) => known.get(statement)?.real ?? statement),
                ),
              );
          case "exec":
          case "dump":
            return (...args: unknown[]) => roundTrip("primary", () => value.apply(target, args));
          case "withSession":
            return (constraint?: unknown) => wrapDatabase(value.call(target, constraint), sessionRouter(constraint ?? "first-unconstrained"));
          default:
            return value.bind(target);
        }
      },
    });

  const kv = new Proxy(bindings.REVOCATIONS, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      const name = String(property);
      if (KV_READS.has(name)) return (...args: unknown[]) => roundTrip("kvReads", () => value.apply(target, args));
      if (KV_WRITES.has(name)) return (...args: unknown[]) => roundTrip("kvWrites", () => value.apply(target, args));
      return value.bind(target);
    },
  });

  return { DB: wrapDatabase(bindings.DB, onPrimary), REVOCATIONS: kv };
}
