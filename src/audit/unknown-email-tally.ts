import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client.ts";
import { constantRowIf } from "../db/constant-columns.ts";
import { unknownEmailAttempts } from "../db/schema.ts";

const HOUR_MS = 60 * 60 * 1000;

/** The tally's client when the request had no parsable address, as the per-client login limit keys it. */
const NO_CLIENT = "unknown";

export interface UnknownEmailCounts {
  failures?: SQL | number;
  lockouts?: SQL | number;
  refusedAttempts?: SQL | number;
  passkeyFailures?: number;
}

/** Who is counted: the request's keys, as src/http/request-origin.ts derives them. */
export interface TalliedClient {
  clientKey: string | null;
  siteKey: string | null;
}

/**
 * Whose tally a failure goes on: an IPv6 client's /48, else its per-client
 * key. Per /64, one /48 could make a row for each of its 65,536 /64s in an
 * hour (RFC 6177 §2); per /48 it makes one, whichever it uses.
 */
export function tallyKey(client: TalliedClient): string | null {
  return client.siteKey ?? client.clientKey;
}

/**
 * Adds to the client's tally for the current hour (see `unknownEmailAttempts`),
 * creating it at the hour's first attempt, if `condition` holds: one upsert,
 * so it commits with the batch that records the attempt and costs no round
 * trip of its own. `client` is `tallyKey`'s.
 */
export function countUnknownEmailAttempt(db: Database, client: string | null, now: number, counts: UnknownEmailCounts, condition: SQL) {
  const row = {
    client: client ?? NO_CLIENT,
    hour: now - (now % HOUR_MS),
    failures: counts.failures ?? 0,
    lockouts: counts.lockouts ?? 0,
    refusedAttempts: counts.refusedAttempts ?? 0,
    passkeyFailures: counts.passkeyFailures ?? 0,
  };
  return db
    .insert(unknownEmailAttempts)
    .select(constantRowIf(db, row, condition) as never)
    .onConflictDoUpdate({
      target: [unknownEmailAttempts.client, unknownEmailAttempts.hour],
      set: {
        failures: addExcluded(unknownEmailAttempts.failures),
        lockouts: addExcluded(unknownEmailAttempts.lockouts),
        refusedAttempts: addExcluded(unknownEmailAttempts.refusedAttempts),
        passkeyFailures: addExcluded(unknownEmailAttempts.passkeyFailures),
      },
    });
}

/** The column plus what the attempt would have inserted (SQLite's `excluded` row of an upsert). */
function addExcluded(column: SQLiteColumn) {
  return sql`${column} + excluded.${sql.identifier(column.name)}`;
}
