import { env } from "cloudflare:workers";

export interface RoundTrips {
  /** D1 calls on the binding itself: a batch, or one statement's execution. */
  primary: number;
  /** D1 calls through a Sessions API handle (`withSession`), which a nearby replica may serve. */
  replica: number;
  kvReads: number;
  kvWrites: number;
}

const STATEMENT_CALLS = new Set(["first", "all", "run", "raw"]);
const KV_READS = new Set(["get", "getWithMetadata", "list"]);
const KV_WRITES = new Set(["put", "delete"]);

/**
 * The real D1 and KV bindings (or `db` in D1's place, such as a stale
 * replica's double), counting each call that crosses the network: a D1
 * `batch()` or a single statement's execution, on the primary when made on
 * the binding, on a replica when made through a `withSession` handle; a KV
 * read or write. `batchSizes` lists how many statements each batch carried,
 * in order, wherever it went.
 */
export function countingBindings(db: D1Database = env.DB): { bindings: Pick<Env, "DB" | "REVOCATIONS">; trips: RoundTrips; batchSizes: number[] } {
  const trips: RoundTrips = { primary: 0, replica: 0, kvReads: 0, kvWrites: 0 };
  const batchSizes: number[] = [];
  type Served = "primary" | "replica";

  const countStatement = (statement: D1PreparedStatement, served: Served): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => countStatement(value.apply(target, args), served);
        if (STATEMENT_CALLS.has(String(property))) trips[served] += 1;
        return value.bind(target);
      },
    });

  const countDatabase = <T extends D1Database | D1DatabaseSession>(database: T, served: Served): T =>
    new Proxy(database, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        if (property === "prepare") return (query: string) => countStatement(value.call(target, query), served);
        if (property === "withSession") return (...args: unknown[]) => countDatabase(value.apply(target, args), "replica");
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            trips[served] += 1;
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

  return { bindings: { DB: countDatabase(db, "primary"), REVOCATIONS: kv }, trips, batchSizes };
}
