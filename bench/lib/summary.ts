import type { CpuUsage } from "./cpu.ts";
import { type Route, type RunSample, totalUsage } from "./load.ts";

export interface CpuPerRequest {
  loadGenerator: number;
  wranglerNode: number | null;
  workerdProxy: number | null;
  workerdWorker: number | null;
  /** Everything else on the machine during the runs (other users' jobs, the idle servers, the kernel's share not charged to a process). */
  other: number | null;
}

export interface TargetSummary {
  key: string;
  label: string;
  rounds: number;
  /** 2xx answers per second over all rounds: a refused request is not throughput. */
  reqPerSec: number;
  /** The same, per round: the spread tells how steady the machine was. */
  reqPerSecByRound: number[];
  p50Ms: number;
  p99Ms: number;
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  ratioToCeiling: number;
  /** CPU milliseconds per 2xx answer, by process. */
  cpuMsPerRequest: CpuPerRequest;
  /** The bench's own processes together (load generator, wrangler, both workerd): what one answer costs. */
  cpuMsPerRequestOurs: number | null;
  /**
   * The ceiling's cost per answer over this target's. Other people's jobs on
   * the machine move req/s a lot and CPU per answer little, so this is the
   * steadier way to read "× ceiling" on a busy machine.
   */
  costRatioToCeiling: number | null;
  /** Share of the machine's cores busy (any process) during this target's runs. */
  machineBusyShare: number | null;
  cpu: CpuUsage;
}

/** Nearest-rank percentile over every latency of every round (not an average of per-round percentiles). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** `ceiling` is null when summarizing the ceiling itself (or the breakdown's probe routes). */
export function summarize(key: string, label: string, samples: RunSample[], ceiling: TargetSummary | null): TargetSummary {
  const latencies = samples.flatMap((sample) => sample.latenciesMs).sort((a, b) => a - b);
  const wall = samples.reduce((sum, sample) => sum + sample.wallSeconds, 0);
  const ok = samples.reduce((sum, sample) => sum + sample.ok, 0);
  const statuses: Record<string, number> = {};
  for (const sample of samples) for (const [status, count] of Object.entries(sample.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const reqPerSec = wall > 0 ? ok / wall : 0;
  const cpu = totalUsage(samples);
  const per = (value: number | null): number | null => (value === null || ok === 0 ? null : value / ok);
  const ours = [cpu.loadGenerator, cpu.wranglerNode, cpu.workerdProxy, cpu.workerdWorker];
  const oursTotal = ours.some((value) => value === null) ? null : ours.reduce<number>((sum, value) => sum + (value ?? 0), 0);
  const cpuMsPerRequestOurs = per(oursTotal);
  const reference = ceiling ? ceiling.cpuMsPerRequestOurs : cpuMsPerRequestOurs;
  const other =
    cpu.machineBusy === null || ours.some((value) => value === null) ? null : cpu.machineBusy - ours.reduce<number>((sum, value) => sum + (value ?? 0), 0);
  return {
    key,
    label,
    rounds: samples.length,
    reqPerSec,
    reqPerSecByRound: samples.map((sample) => (sample.wallSeconds > 0 ? sample.ok / sample.wallSeconds : 0)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    responses: samples.reduce((sum, sample) => sum + sample.responses, 0),
    ok,
    non2xx: samples.reduce((sum, sample) => sum + sample.non2xx, 0),
    errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
    statuses,
    ratioToCeiling: ceiling ? reqPerSec / ceiling.reqPerSec : 1,
    cpuMsPerRequest: {
      loadGenerator: ok === 0 ? Number.NaN : cpu.loadGenerator / ok,
      wranglerNode: per(cpu.wranglerNode),
      workerdProxy: per(cpu.workerdProxy),
      workerdWorker: per(cpu.workerdWorker),
      other: per(other),
    },
    cpuMsPerRequestOurs,
    costRatioToCeiling: reference === null || cpuMsPerRequestOurs === null || cpuMsPerRequestOurs === 0 ? null : reference / cpuMsPerRequestOurs,
    machineBusyShare: cpu.machineBusy === null || cpu.machineCapacity === 0 ? null : cpu.machineBusy / cpu.machineCapacity,
    cpu,
  };
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** One route against its floor (bench/floor/): the same platform calls and nothing else. */
export interface FloorComparison {
  route: Route;
  label: string;
  /** Project req/s ÷ floor req/s of each round, whose two runs were back to back. */
  ratioByRound: number[];
  /** The median of `ratioByRound`: one round on a shared machine can be off by ±0.1. */
  ratio: number;
  projectReqPerSec: number;
  floorReqPerSec: number;
  /**
   * CPU ms per 2xx answer of the workerd that runs the worker: its JavaScript,
   * the static-assets router in front of it, and local D1, KV and the rate
   * limiter, which miniflare runs in that same process. Not wrangler dev's
   * proxy, not wrangler's Node process (which prints the log lines), not the
   * load generator: those are in the CPU table.
   */
  projectWorkerCpuMs: number | null;
  floorWorkerCpuMs: number | null;
}

export function compareWithFloor(route: Route, project: TargetSummary, floor: TargetSummary): FloorComparison {
  const ratioByRound = project.reqPerSecByRound.map((reqPerSec, round) => reqPerSec / (floor.reqPerSecByRound[round] ?? Number.NaN));
  return {
    route,
    label: project.label,
    ratioByRound,
    ratio: median(ratioByRound),
    projectReqPerSec: project.reqPerSec,
    floorReqPerSec: floor.reqPerSec,
    projectWorkerCpuMs: project.cpuMsPerRequest.workerdWorker,
    floorWorkerCpuMs: floor.cpuMsPerRequest.workerdWorker,
  };
}
