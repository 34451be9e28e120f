import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { descendants, readCmdline, readStat } from "./processes.ts";

/**
 * Where the CPU goes during one load run, in milliseconds of CPU time. On a
 * 2-core machine the load generator, wrangler's Node process, workerd's dev
 * proxy and the worker's own workerd all share the same cores, so a route's
 * req/s is only readable next to who burnt the CPU. Linux /proc only; on other
 * systems every figure is null and the bench still runs.
 */
export interface CpuUsage {
  /** This process: autocannon and the harness. */
  loadGenerator: number;
  /** wrangler's Node processes (launcher, dev server, log printing). */
  wranglerNode: number | null;
  /** The workerd that listens on the public port and forwards to the worker (wrangler's ProxyWorker). */
  workerdProxy: number | null;
  /** The workerd that runs the worker itself, with its local D1, KV and rate limiter. */
  workerdWorker: number | null;
  /** Every process on the machine, from /proc/stat: the rest is other people's load. */
  machineBusy: number | null;
  /** Cores × wall time: what the machine could have given. */
  machineCapacity: number;
}

type ProcessClass = "wranglerNode" | "workerdProxy" | "workerdWorker";

const TICK_MS = 1000 / clockTicksPerSecond();

function clockTicksPerSecond(): number {
  const result = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const value = Number(result.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
}

function classify(pid: number, port: number): ProcessClass | null {
  const cmdline = readCmdline(pid);
  // The proxy is the workerd bound to the port clients use; the worker's own workerd listens on a random one.
  if (cmdline.includes("workerd")) return new RegExp(`entry=127\\.0\\.0\\.1:${port}(\\s|$)`).test(cmdline) ? "workerdProxy" : "workerdWorker";
  if (cmdline.includes("node")) return "wranglerNode";
  return null;
}

interface Snapshot {
  at: number;
  self: NodeJS.CpuUsage;
  perClass: Record<ProcessClass, number> | null;
  machineBusyTicks: number | null;
}

function machineBusyTicks(): number | null {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const [, ...values] = first.trim().split(/\s+/);
    const ticks = values.map(Number);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return total - idle;
  } catch {
    return null;
  }
}

/** Snapshot of the dev server's process tree (the wrangler child and everything under it). */
export function snapshot(rootPid: number | undefined, port: number): Snapshot {
  let perClass: Record<ProcessClass, number> | null = null;
  if (rootPid !== undefined && readStat(rootPid)) {
    perClass = { wranglerNode: 0, workerdProxy: 0, workerdWorker: 0 };
    for (const pid of [rootPid, ...descendants(rootPid)]) {
      const kind = classify(pid, port);
      const stat = readStat(pid);
      if (kind && stat) perClass[kind] += stat.cpuTicks;
    }
  }
  return { at: performance.now(), self: process.cpuUsage(), perClass, machineBusyTicks: machineBusyTicks() };
}

export function usageBetween(before: Snapshot, after: Snapshot, cores: number): CpuUsage {
  const self = process.cpuUsage(before.self);
  const delta = (kind: ProcessClass): number | null => (before.perClass && after.perClass ? (after.perClass[kind] - before.perClass[kind]) * TICK_MS : null);
  return {
    loadGenerator: (self.user + self.system) / 1000,
    wranglerNode: delta("wranglerNode"),
    workerdProxy: delta("workerdProxy"),
    workerdWorker: delta("workerdWorker"),
    machineBusy: before.machineBusyTicks !== null && after.machineBusyTicks !== null ? (after.machineBusyTicks - before.machineBusyTicks) * TICK_MS : null,
    machineCapacity: (after.at - before.at) * cores,
  };
}

/** Sums usages (for the rounds of one target); a null anywhere stays null. */
export function addUsage(a: CpuUsage, b: CpuUsage): CpuUsage {
  const plus = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : x + y);
  return {
    loadGenerator: a.loadGenerator + b.loadGenerator,
    wranglerNode: plus(a.wranglerNode, b.wranglerNode),
    workerdProxy: plus(a.workerdProxy, b.workerdProxy),
    workerdWorker: plus(a.workerdWorker, b.workerdWorker),
    machineBusy: plus(a.machineBusy, b.machineBusy),
    machineCapacity: a.machineCapacity + b.machineCapacity,
  };
}
