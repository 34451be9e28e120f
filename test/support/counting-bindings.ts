import { env } from "cloudflare:workers";

export interface RoundTrips {
  d1Batches: number;
  d1Queries: number;
  kvReads: number;
  kvWrites: number;
}

const STATEMENT_CALLS = new Set(["first", "all", "run", "raw"]);
const KV_READS = new Set(["get", "getWithMetadata", "list"]);
const KV_WRITES = new Set(["put", "delete"]);

/**
 * The real D1 and KV bindings, counting each call that crosses the network:
 * a D1 `batch()` or a single statement's execution, a KV read or write.
 * `batchSizes` lists how many statements each batch carried, in order.
 */
export function countingBindings(): { bindings: Pick<Env, "DB" | "REVOCATIONS">; trips: RoundTrips; batchSizes: number[] } {
  const trips: RoundTrips = { d1Batches: 0, d1Queries: 0, kvReads: 0, kvWrites: 0 };
  const batchSizes: number[] = [];

  const countStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => countStatement(value.apply(target, args));
        if (STATEMENT_CALLS.has(String(property))) trips.d1Queries += 1;
        return value.bind(target);
      },
    });

  const countDatabase = <T extends D1Database | D1DatabaseSession>(database: T): T =>
    new Proxy(database, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "prepare") return (query: string) => countStatement(value.call(target, query));
        if (property === "withSession") return (...args: unknown[]) => countDatabase(value.apply(target, args));
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            trips.d1Batches += 1;
            batchSizes.push(statements.length);
            // The statements of a batch travel together: undo their individual counts.
            return value.call(
              target,
              statements.map((statement) => (statement as unknown as { valueOf(): D1PreparedStatement }).valueOf()),
            );
          };
        }
        return value.bind(target);
      },
    });

  const kv = new Proxy(env.REVOCATIONS, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (KV_READS.has(String(property))) trips.kvReads += 1;
      if (KV_WRITES.has(String(property))) trips.kvWrites += 1;
      return value.bind(target);
    },
  });

  return { bindings: { DB: countDatabase(env.DB), REVOCATIONS: kv }, trips, batchSizes };
}
