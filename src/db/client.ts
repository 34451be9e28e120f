import { drizzle } from "drizzle-orm/d1";
import { ApiError } from "../errors/api-error.ts";
import * as schema from "./schema.ts";

export type Database = ReturnType<typeof database>;

/** Accepts a D1 Sessions API handle too, so reads can go to a nearby replica. */
export function database(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/**
 * D1 and KV failures become a 503 with FastAPI's body: the client may retry,
 * and nothing about the storage leaks.
 */
export async function storage<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (cause) {
    throw new ApiError("unavailable", { cause });
  }
}
