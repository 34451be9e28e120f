import { env } from "cloudflare:workers";

/**
 * The real D1 binding, running `change` just before the request's `batch`-th
 * batch: a write of someone else that commits while this request is between
 * its round trips, at a moment a test can name.
 */
export function d1Interleaving(batch: number, change: () => Promise<unknown>): D1Database {
  let batches = 0;
  return new Proxy(env.DB, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (property !== "batch") return value.bind(target);
      return async (statements: D1PreparedStatement[]) => {
        batches += 1;
        if (batches === batch) await change();
        return value.call(target, statements);
      };
    },
  });
}
