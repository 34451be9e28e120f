import type { OpCost, RouteModel } from "./breakdown.ts";
import type { LatencyReport } from "./latency.ts";
import type { FloorComparison, TargetSummary } from "./summary.ts";

export interface Goal {
  name: string;
  value: number;
  atLeast: number;
  met: boolean;
}

export interface BenchReport {
  generatedAt: string;
  machine: { cores: number; cpuModel: string; platform: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  versions: { node: string; wrangler: string; workerd: string; autocannon: string; hono: string };
  settings: { durationSeconds: number; rounds: number; connections: number; warmupSeconds: number; order: string[] };
  /** How the per-IP login limit was kept from biting, and what was checked at start-up. */
  loginRateLimit: { method: string; forwardsClientIp: boolean; sameIpAttempts: number[]; note: string; lockout: string };
  targets: TargetSummary[];
  ratios: { meToCeiling: number; refreshToCeiling: number; loginToCeiling: number; pbkdf2ToCeiling: number; loginToPbkdf2: number };
  /** Each route against its floor. */
  floor: FloorComparison[];
  goals: Goal[];
  /** With --breakdown: what each platform call costs, and the routes modelled from those costs. */
  breakdown?: { ops: OpCost[]; routes: RouteModel[] };
  /** With --primary-rtt/--replica-rtt: each route one request at a time with simulated distance to D1 (bench/latency/). */
  latency?: LatencyReport;
}

const fixed = (value: number | null, digits: number): string => (value === null || !Number.isFinite(value) ? "-" : value.toFixed(digits));

function table(header: string[], rows: string[][], rightAligned: (column: number) => boolean): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (rightAligned(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

export function formatReport(report: BenchReport): string {
  const { machine, versions, settings } = report;
  const lines: string[] = [];
  lines.push(
    `machine: ${machine.cores} cores (os.availableParallelism()), ${machine.cpuModel}, ${machine.platform}; load average before ${machine.loadAverageBefore.map((v) => v.toFixed(2)).join(" ")}, after ${machine.loadAverageAfter.map((v) => v.toFixed(2)).join(" ")}`,
    `versions: node ${versions.node}, wrangler ${versions.wrangler}, workerd ${versions.workerd}, autocannon ${versions.autocannon}, hono ${versions.hono}`,
    `load: ${settings.rounds} rounds × ${settings.durationSeconds} s per target, ${settings.connections} connections, interleaved (${settings.order.join(" → ")}; in even rounds each route's floor runs first), after a ${settings.warmupSeconds} s warm-up each; loopback only`,
    `login rate limit: ${report.loginRateLimit.note}`,
    `login lockout: ${report.loginRateLimit.lockout}`,
    "",
  );
  lines.push(
    table(
      ["target", "req/s", "per round", "p50 ms", "p99 ms", "non-2xx", "errors", "× ceiling"],
      report.targets.map((t) => [
        t.label,
        fixed(t.reqPerSec, 1),
        t.reqPerSecByRound.map((value) => value.toFixed(0)).join("/"),
        fixed(t.p50Ms, 1),
        fixed(t.p99Ms, 1),
        String(t.non2xx),
        String(t.errors),
        fixed(t.ratioToCeiling, 3),
      ]),
      (column) => column > 0 && column !== 2,
    ),
  );
  lines.push("", formatFloor(report), "");
  lines.push(`login / PBKDF2-only: ${fixed(report.ratios.loginToPbkdf2, 3)}`);
  for (const goal of report.goals) lines.push(`  ${goal.met ? "met   " : "MISSED"}  ${goal.name}: ${fixed(goal.value, 3)} (goal ≥ ${goal.atLeast})`);
  lines.push("");
  lines.push(
    `CPU per 2xx answer, ms (from /proc: who burnt the ${machine.cores} cores' time during each target's runs; "cost × ceiling" = the ceiling's cost per answer ÷ this one's, little moved by other jobs)`,
  );
  lines.push(
    table(
      ["target", "autocannon", "wrangler node", "workerd proxy", "workerd worker", "all four", "cost × ceiling", "other", "machine busy"],
      report.targets.map((t) => [
        t.label,
        fixed(t.cpuMsPerRequest.loadGenerator, 3),
        fixed(t.cpuMsPerRequest.wranglerNode, 3),
        fixed(t.cpuMsPerRequest.workerdProxy, 3),
        fixed(t.cpuMsPerRequest.workerdWorker, 3),
        fixed(t.cpuMsPerRequestOurs, 3),
        fixed(t.costRatioToCeiling, 3),
        fixed(t.cpuMsPerRequest.other, 3),
        t.machineBusyShare === null ? "-" : `${(t.machineBusyShare * 100).toFixed(0)}%`,
      ]),
      (column) => column > 0,
    ),
  );
  const crowded = report.targets.filter((t) => t.cpuMsPerRequest.other !== null && t.cpu.machineCapacity > 0 && otherShare(t) > 0.1);
  if (crowded.length > 0) {
    const shares = crowded.map((t) => `${t.label} ${(otherShare(t) * 100).toFixed(0)}%`).join(", ");
    lines.push(
      `WARNING: other processes on this machine took a share of the cores during the runs (${shares}): absolute figures are depressed; ratios, from interleaved rounds, less so`,
    );
  }
  const broken = report.targets.filter((t) => t.non2xx > 0 || t.errors > 0);
  for (const t of broken) lines.push(`note: ${t.label} answered ${JSON.stringify(t.statuses)} with ${t.errors} connection errors`);
  if (report.breakdown) lines.push("", formatBreakdown(report.breakdown));
  return lines.join("\n");
}

/** The latency phase: round trips per request and p50 per route, then the acceptance goals. */
export function formatLatency(latency: LatencyReport): string {
  const trips = (value: number) => (Number.isFinite(value) ? String(value) : "-");
  const after = (r: NonNullable<LatencyReport["routes"][keyof LatencyReport["routes"]]>) =>
    r.afterAnswer ? `${r.afterAnswer.primary}/${r.afterAnswer.replica}/${r.afterAnswer.kvReads}/${r.afterAnswer.kvWrites}` : "?";
  const rows = Object.values(latency.routes).map((r) => [
    r.label,
    trips(r.primaryRoundTrips),
    trips(r.replicaRoundTrips),
    trips(r.kvReads),
    after(r),
    fixed(r.p50Ms, 1),
    fixed(r.minMs, 1),
    fixed(r.maxMs, 1),
    String(r.non2xx + r.errors),
  ]);
  rows.push([`PBKDF2 only`, "-", "-", "-", "-", fixed(latency.pbkdf2.p50Ms, 1), "", "", String(latency.pbkdf2.non2xx + latency.pbkdf2.errors)]);
  const lines = [
    `Latency: D1 primary ${latency.primaryRttMs} ms away, replica and KV reads ${latency.replicaRttMs} ms (KV writes: the primary figure); one request at a time, ${latency.warmupPerRoute} warm-up + ${latency.requestsPerRoute} measured per route`,
    table(
      ["route", "primary RT", "replica RT", "KV reads", "after answer p/r/kvR/kvW", "p50 ms", "min ms", "max ms", "failed"],
      rows,
      (column) => column > 0 && column !== 4,
    ),
    "RT: round trips per request that the answer waited for (the largest over the route's requests); after answer: those it did not wait for (waitUntil work).",
  ];
  for (const goal of latency.goals) {
    lines.push(
      `  ${goal.met ? "met   " : "MISSED"}  ${goal.name}: ${fixed(goal.valueMs, 1)} ms (goal ${goal.inclusive ? "≤" : "<"} ${fixed(goal.limitMs, 1)} ms)`,
    );
  }
  for (const note of latency.notes) lines.push(`note: ${note}`);
  return lines.join("\n");
}

/** Each route against its floor: the ratio to read, and where the CPU of one request goes. */
function formatFloor({ floor, machine, settings }: BenchReport): string {
  return [
    `Project ÷ floor: req/s of the real worker over req/s of bench/floor/ (the route's D1, KV, rate-limiter and crypto calls and nothing else, behind the same static-assets front), per round, each pair back to back; the median of ${settings.rounds} rounds on ${machine.cores} cores`,
    table(
      ["route", "project req/s", "floor req/s", "÷ floor", "per round", "worker CPU ms/req", "floor CPU ms/req", "app's own"],
      floor.map((f) => [
        f.label,
        fixed(f.projectReqPerSec, 1),
        fixed(f.floorReqPerSec, 1),
        fixed(f.ratio, 2),
        f.ratioByRound.map((ratio) => ratio.toFixed(2)).join("/"),
        fixed(f.projectWorkerCpuMs, 2),
        fixed(f.floorWorkerCpuMs, 2),
        fixed(f.projectWorkerCpuMs === null || f.floorWorkerCpuMs === null ? null : f.projectWorkerCpuMs - f.floorWorkerCpuMs, 2),
      ]),
      (column) => column > 0 && column !== 4,
    ),
    "CPU ms/req: CPU time of the worker's own workerd process ÷ 2xx answers, over all rounds — the worker's JavaScript, the static-assets router hop in front of it, and local D1 (SQLite), KV and the rate limiter, which miniflare runs in that process; not wrangler dev's proxy, wrangler's Node process or the load generator (see the CPU table). \"app's own\" = worker − floor.",
  ].join("\n");
}

type Classes = RouteModel["measured"];
const ours = (c: Classes): number | null =>
  c.wranglerNode === null || c.workerdProxy === null || c.workerdWorker === null ? null : c.loadGenerator + c.wranglerNode + c.workerdProxy + c.workerdWorker;

function formatBreakdown({ ops, routes }: NonNullable<BenchReport["breakdown"]>): string {
  const lines = [
    "Breakdown: CPU ms per call through wrangler dev + local miniflare (bench/probe; each op minus a /noop run just before it; baseline = mean of those)",
  ];
  lines.push(
    table(
      ["operation", "req/s", "workerd worker", "workerd proxy", "wrangler node", "autocannon", "all"],
      ops.map((op) => [
        op.label,
        fixed(op.reqPerSec, 1),
        fixed(op.cpuMs.workerdWorker, 3),
        fixed(op.cpuMs.workerdProxy, 3),
        fixed(op.cpuMs.wranglerNode, 3),
        fixed(op.cpuMs.loadGenerator, 3),
        fixed(ours(op.cpuMs), 3),
      ]),
      (column) => column > 0,
    ),
  );
  const failed = ops.filter((op) => op.non2xx > 0);
  if (failed.length > 0) lines.push(`note: non-2xx or failed probe requests on ${failed.map((op) => op.label).join(", ")}: those rows are not valid`);
  lines.push("", "Routes: baseline + the calls README lists × their cost, against the measured cost (CPU ms per request); the rest is the app's own code");
  lines.push(
    table(
      ["route", "worker modelled", "worker measured", "worker rest", "all modelled", "all measured", "all rest"],
      routes.map((route) => {
        const worker = (c: Classes) => c.workerdWorker;
        const rest = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
        return [
          route.route,
          fixed(worker(route.modelled), 2),
          fixed(worker(route.measured), 2),
          fixed(rest(worker(route.modelled), worker(route.measured)), 2),
          fixed(ours(route.modelled), 2),
          fixed(ours(route.measured), 2),
          fixed(rest(ours(route.modelled), ours(route.measured)), 2),
        ];
      }),
      (column) => column > 0,
    ),
  );
  return lines.join("\n");
}

/** The machine's capacity used by processes the bench did not start, during one target's runs. */
function otherShare(t: TargetSummary): number {
  return ((t.cpuMsPerRequest.other ?? 0) * t.ok) / t.cpu.machineCapacity;
}

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A hand-written horizontal bar chart: all targets on one req/s scale (the
 * ceiling is the full width), then login and the PBKDF2-only route on their
 * own scale, since at ~1% of the ceiling they would be invisible on the first.
 */
export function renderSvg(report: BenchReport): string {
  const width = 880;
  const labelWidth = 170;
  // Room right of the longest bar for its figures.
  const barMax = width - labelWidth - 320;
  const rowHeight = 28;
  const parts: string[] = [];
  let y = 30;
  const title = (text: string) => {
    parts.push(`<text x="12" y="${y}" font-size="15" font-weight="bold">${escapeXml(text)}</text>`);
    y += 14;
  };
  const bars = (rows: TargetSummary[], colour: (t: TargetSummary) => string) => {
    const max = Math.max(...rows.map((t) => t.reqPerSec), 1);
    for (const t of rows) {
      const length = Math.max(1, (t.reqPerSec / max) * barMax);
      parts.push(`<text x="${labelWidth - 8}" y="${y + 17}" font-size="12" text-anchor="end">${escapeXml(t.label)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${length.toFixed(1)}" height="${rowHeight - 8}" fill="${colour(t)}"/>`);
      const ratio = t.key === "ceiling" || !Number.isFinite(t.ratioToCeiling) ? "" : ` (${t.ratioToCeiling.toFixed(2)}× ceiling)`;
      const detail = `${t.reqPerSec.toFixed(1)} req/s${ratio} · p50 ${t.p50Ms.toFixed(1)} ms · p99 ${t.p99Ms.toFixed(1)} ms${t.non2xx ? ` · ${t.non2xx} non-2xx` : ""}`;
      parts.push(`<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 17}" font-size="11" fill="#333">${escapeXml(detail)}</text>`);
      y += rowHeight;
    }
    y += 18;
  };
  const colours: Record<string, string> = {
    ceiling: "#9aa5b1",
    me: "#2f7ed8",
    "me-floor": "#9cc3ee",
    refresh: "#4caf50",
    "refresh-floor": "#a9d8ab",
    login: "#e07b24",
    "login-floor": "#f0bd8f",
    pbkdf2: "#b5651d",
  };
  title(`Requests per second (2xx), ceiling = full width; ÷ floor: ${report.floor.map((f) => `${f.label} ${f.ratio.toFixed(2)}`).join(", ")}`);
  bars(report.targets, (t) => colours[t.key] ?? "#666");
  title(`Login vs the PBKDF2-only floor: ${report.ratios.loginToPbkdf2.toFixed(3)}×`);
  bars(
    report.targets.filter((t) => t.key === "login" || t.key === "pbkdf2"),
    (t) => colours[t.key] ?? "#666",
  );
  const { machine, versions, settings } = report;
  const footer = `${machine.cores} cores · node ${versions.node} · wrangler ${versions.wrangler} · ${settings.rounds}×${settings.durationSeconds} s · ${settings.connections} connections · ${report.generatedAt}`;
  parts.push(`<text x="12" y="${y}" font-size="11" fill="#555">${escapeXml(footer)}</text>`);
  const height = y + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
