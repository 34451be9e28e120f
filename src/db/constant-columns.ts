import { type SQL, sql } from "drizzle-orm";
import type { Database } from "./client.ts";

/**
 * A row of constants as SELECT columns, for a conditional INSERT … SELECT …
 * WHERE (a write that commits only if its condition holds inside the same D1
 * batch). Drizzle's `insert().select()` takes every column of the table, in
 * table order, named as the table's fields: `row` must list them so.
 */
export function constantColumns(row: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, sql`${value}`.as(name)]));
}

/** `row` as the one row of a SELECT that yields it only if `condition` holds: the source of a conditional INSERT. */
export function constantRowIf(db: Database, row: Record<string, unknown>, condition: SQL) {
  return db.select(constantColumns(row)).from(sql`(select 1)`).where(condition);
}
