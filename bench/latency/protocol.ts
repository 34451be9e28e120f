import type { RoundTrips } from "./simulated-latency.ts";

/**
 * How the bench and bench/latency/worker.ts talk, besides the real routes:
 * each answer carries the round trips its request started before answering,
 * and the trips of answered requests, `waitUntil` work included, are read
 * afterwards by the id the bench gave each request.
 */
export const REQUEST_ID_HEADER = "x-bench-request";

export const TRIP_HEADERS: Record<keyof RoundTrips, string> = {
  primary: "x-bench-primary-round-trips",
  replica: "x-bench-replica-round-trips",
  kvReads: "x-bench-kv-reads",
  kvWrites: "x-bench-kv-writes",
};

/** GET: every settled request's trips by id, as `SettledTrips`, forgotten once read. */
export const TRIPS_PATH = "/__bench/latency/trips";

export type SettledTrips = Record<string, { beforeAnswer: RoundTrips; afterAnswer: RoundTrips }>;

/** The simulated round trips, passed to `wrangler dev` with `--var`. */
export const RTT_VARS = { primary: "BENCH_PRIMARY_RTT_MS", replica: "BENCH_REPLICA_RTT_MS" } as const;
