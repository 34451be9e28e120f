import { drizzle } from "drizzle-orm/d1";
import { ApiError } from "../errors/api-error.ts";

export type Database = ReturnType<typeof database>;

const databases = new WeakMap<D1Database | D1DatabaseSession, ReturnType<typeof drizzle>>();

/**
 * Drizzle over a D1 binding, built once per isolate for the binding itself.
 * Accepts a D1 Sessions API handle too (one per request), so reads can go to a
 * nearby replica.
 */
export function database(d1: D1Database | D1DatabaseSession) {
  let db = databases.get(d1);
  if (!db) {
    db = drizzle(d1 as D1Database);
    databases.set(d1, db);
  }
  return db;
}

/** Longer than any healthy D1 or KV call from the far side of the world. */
const STORAGE_TIMEOUT_MS = 5_000;

/**
 * D1 and KV failures, and calls that hang, become a 503 with FastAPI's body:
 * the client may retry, and nothing about the storage leaks.
 */
export async function storage<T>(operation: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`storage call timed out after ${STORAGE_TIMEOUT_MS} ms`)), STORAGE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([operation, timeout]);
  } catch (cause) {
    throw new ApiError("unavailable", { cause });
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
