import { type RunOptions, runTarget, type Target } from "./load.ts";
import type { CpuPerRequest, TargetSummary } from "./summary.ts";
import { summarize } from "./summary.ts";
import type { DevServer } from "./wrangler-dev.ts";

/** The probe worker's routes (bench/probe/worker.ts): one platform operation each, on top of /noop. */
export const PROBE_OPS = [
  { key: "noop", label: "nothing (baseline)" },
  { key: "log", label: "1 JSON log line" },
  { key: "verify", label: "ES256 verify (jose)" },
  { key: "sign", label: "ES256 sign (jose)" },
  { key: "d1-read", label: "D1 read by key" },
  { key: "d1-batch", label: "D1 batch of 4 writes" },
  { key: "kv-get", label: "KV get (missing key)" },
  { key: "kv-put", label: "KV put (waitUntil)" },
  { key: "ratelimit", label: "rate limiter limit()" },
] as const;

export type ProbeOp = (typeof PROBE_OPS)[number]["key"] | "pbkdf2";

export interface OpCost {
  key: ProbeOp;
  label: string;
  reqPerSec: number;
  /** CPU ms per call by process, with the /noop baseline subtracted (the baseline row is absolute). */
  cpuMs: Omit<CpuPerRequest, "other">;
  non2xx: number;
}

/**
 * The platform calls each route makes, as README.md's round-trip table lists
 * them (plus each route's one request-log line and its token work). Kept here
 * rather than read from the code: it is the model to compare the measurement with.
 */
export const ROUTE_CALLS: Record<"me" | "refresh" | "login", Partial<Record<ProbeOp, number>>> = {
  me: { log: 1, verify: 1, "d1-read": 1, "kv-get": 1 },
  refresh: { log: 1, verify: 1, "kv-get": 1, "d1-batch": 1, sign: 2 },
  // Login's read batch (admin + throttle) is one D1 round trip, modelled as one read.
  login: { log: 1, ratelimit: 1, "d1-read": 1, pbkdf2: 1, "d1-batch": 1, sign: 2 },
};

export interface RouteModel {
  route: "me" | "refresh" | "login";
  /** Baseline + Σ calls × cost, CPU ms per request by process. */
  modelled: Omit<CpuPerRequest, "other">;
  measured: Omit<CpuPerRequest, "other">;
}

type Classes = Omit<CpuPerRequest, "other">;

function pick(per: CpuPerRequest): Classes {
  return { loadGenerator: per.loadGenerator, wranglerNode: per.wranglerNode, workerdProxy: per.workerdProxy, workerdWorker: per.workerdWorker };
}

/**
 * Each operation is measured right after a /noop run and that run is
 * subtracted: the machine may be shared, and a baseline taken minutes earlier
 * under another load would not cancel out. The baseline row is the mean of
 * those /noop runs.
 */
export async function measureOps(
  probe: DevServer,
  options: RunOptions,
  warmupSeconds: number,
  log: (message: string) => void,
  current: Parameters<typeof runTarget>[3],
): Promise<OpCost[]> {
  const setup = await fetch(`${probe.url}/setup`, { method: "POST" });
  if (!setup.ok) throw new Error(`probe setup failed with HTTP ${setup.status}`);
  const target = (op: (typeof PROBE_OPS)[number]): Target<string> => ({
    key: op.key,
    label: op.label,
    server: probe,
    prepare: async () => ({ path: `/${op.key}`, options: { method: "GET" } }),
  });
  const [noopOp, ...ops] = PROBE_OPS;
  const noop = target(noopOp);
  await runTarget(noop, 0, { ...options, durationSeconds: warmupSeconds }, current);
  const baselines: TargetSummary[] = [];
  const costs: OpCost[] = [];
  for (const op of ops) {
    await runTarget(target(op), 0, { ...options, durationSeconds: warmupSeconds }, current);
    const before = summarize(noop.key, noop.label, [await runTarget(noop, 1, options, current)], null);
    const measured = summarize(op.key, op.label, [await runTarget(target(op), 1, options, current)], null);
    baselines.push(before);
    costs.push({
      key: op.key,
      label: op.label,
      reqPerSec: measured.reqPerSec,
      cpuMs: subtract(pick(measured.cpuMsPerRequest), pick(before.cpuMsPerRequest)),
      non2xx: measured.non2xx + measured.errors + before.non2xx + before.errors,
    });
    log(`breakdown ${op.label}: ${measured.reqPerSec.toFixed(1)} req/s (/noop just before: ${before.reqPerSec.toFixed(1)})`);
  }
  const mean = baselines.map((b) => pick(b.cpuMsPerRequest)).reduce((sum, next) => addScaled(sum, next, 1 / baselines.length), zero());
  const baseline: OpCost = {
    key: "noop",
    label: noopOp.label,
    reqPerSec: baselines.reduce((sum, b) => sum + b.reqPerSec, 0) / baselines.length,
    cpuMs: mean,
    non2xx: 0,
  };
  return [baseline, ...costs];
}

function zero(): Classes {
  return { loadGenerator: 0, wranglerNode: 0, workerdProxy: 0, workerdWorker: 0 };
}

/** a + k·b per process; a figure missing on either side stays missing. */
function addScaled(a: Classes, b: Classes, k: number): Classes {
  const plus = (x: number | null, y: number | null) => (x === null || y === null ? null : x + k * y);
  return {
    loadGenerator: a.loadGenerator + k * b.loadGenerator,
    wranglerNode: plus(a.wranglerNode, b.wranglerNode),
    workerdProxy: plus(a.workerdProxy, b.workerdProxy),
    workerdWorker: plus(a.workerdWorker, b.workerdWorker),
  };
}

const subtract = (a: Classes, b: Classes): Classes => addScaled(a, b, -1);

/**
 * Puts the op costs together per route and sets them beside the route's
 * measured cost. The PBKDF2 derivation's cost is the PBKDF2-only worker's
 * minus the ceiling's. What the model does not explain is the app's own code
 * (Hono middleware, body parsing and validation, drizzle, error handling).
 */
export function modelRoutes(ops: OpCost[], targets: TargetSummary[]): RouteModel[] {
  const byKey = (key: string) => targets.find((target) => target.key === key);
  const pbkdf2 = byKey("pbkdf2");
  const ceiling = byKey("ceiling");
  const costs = new Map<ProbeOp, Classes>(ops.map((op) => [op.key, op.cpuMs]));
  if (pbkdf2 && ceiling) costs.set("pbkdf2", subtract(pick(pbkdf2.cpuMsPerRequest), pick(ceiling.cpuMsPerRequest)));
  const baseline = costs.get("noop");
  const models: RouteModel[] = [];
  for (const route of ["me", "refresh", "login"] as const) {
    const measured = byKey(route);
    if (!baseline || !measured) continue;
    let modelled: Classes = { ...baseline };
    for (const [op, count] of Object.entries(ROUTE_CALLS[route]) as [ProbeOp, number][]) {
      const cost = costs.get(op);
      if (cost) modelled = addScaled(modelled, cost, count);
    }
    models.push({ route, modelled, measured: pick(measured.cpuMsPerRequest) });
  }
  return models;
}
