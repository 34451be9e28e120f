import { env } from "cloudflare:workers";

export type Fault = "throw" | "hang";

function fail(fault: Fault): Promise<never> {
  return fault === "throw" ? Promise.reject(new Error("D1_ERROR: simulated storage failure")) : new Promise<never>(() => {});
}

/** The real D1 binding with every query failing (or never answering). */
export function faultyD1(fault: Fault): D1Database {
  const failingStatement = { bind: () => failingStatement, first: () => fail(fault), all: () => fail(fault), run: () => fail(fault), raw: () => fail(fault) };
  const database = {
    prepare: () => failingStatement,
    batch: () => fail(fault),
    exec: () => fail(fault),
    withSession: () => database,
  };
  return database as unknown as D1Database;
}

/** The real KV binding with reads, writes, or both failing. */
export function faultyKv(fault: Fault, operations: ReadonlyArray<"get" | "put">): KVNamespace {
  const real = env.REVOCATIONS;
  return new Proxy(real, {
    get(target, property) {
      if (operations.includes(property as "get" | "put")) return () => fail(fault);
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
