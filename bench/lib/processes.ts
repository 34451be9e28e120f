import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";

/**
 * Every process the bench starts, so that all of them are stopped on success,
 * on failure and on Ctrl-C. Each child is started as the leader of its own
 * process group (`detached`): wrangler starts workerd processes of its own,
 * and signalling the group reaches them too, by id, without touching any
 * other wrangler or workerd on the machine.
 */
const running = new Set<ChildProcess>();

export interface Started {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the child has exited. */
  exited: Promise<number | string>;
}

/** Starts `node <args>` with the pinned Node this bench runs on, output appended to `logPath`. */
export function startNode(args: string[], options: { logPath: string; env?: NodeJS.ProcessEnv; cwd: string }): Started {
  const log = openSync(options.logPath, "a");
  try {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // Straight to a file: the bench process never has to read (and pay for) wrangler's per-request log lines.
      stdio: ["ignore", log, log],
      detached: true,
    });
    running.add(child);
    const exited = new Promise<number | string>((resolve) => {
      child.once("exit", (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? "unknown");
      });
      child.once("error", (error) => {
        running.delete(child);
        resolve(`spawn error: ${error.message}`);
      });
    });
    return { child, exited };
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

/** Runs a node script to completion; a non-zero exit throws with the log's tail. */
export async function runNode(args: string[], options: { logPath: string; env?: NodeJS.ProcessEnv; cwd: string; what: string }): Promise<void> {
  const { exited } = startNode(args, options);
  const code = await exited;
  if (code !== 0) throw new Error(`${options.what} failed (${code}); log ${options.logPath}:\n${tail(options.logPath)}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to the child's group, SIGKILL if it has not exited within `graceMs`. */
export async function stop(started: Started, graceMs = 5_000): Promise<void> {
  signalGroup(started.child, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup(started.child, "SIGKILL");
      resolve();
    }, graceMs);
  });
  await Promise.race([started.exited.then(() => undefined), killed]);
  clearTimeout(timer);
  // wrangler may exit before the workerd processes it started: make sure the whole group is gone.
  if (started.child.pid !== undefined) {
    try {
      process.kill(-started.child.pid, "SIGKILL");
    } catch {
      // Already gone: the normal case.
    }
  }
}

/** Stops everything still running; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stop({ child, exited: new Promise((resolve) => child.once("exit", () => resolve(0))) })));
}

/** Last resort from the synchronous `exit` handler: no waiting is possible there, so SIGKILL. */
export function killAllNow(): void {
  for (const child of running) signalGroup(child, "SIGKILL");
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Every descendant of `pid` (Linux /proc), for the CPU breakdown; empty where /proc is missing. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readProcEntries();
  } catch {
    return [];
  }
  for (const entry of entries) {
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function readProcEntries(): string[] {
  return readdirSync("/proc").filter((name) => /^[0-9]+$/.test(name));
}

export interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** /proc/<pid>/stat: the command name may contain spaces or parentheses, so fields are read after the last ')'. */
export function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // After the name: state(0) ppid(1) ... utime(11) stime(12).
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}
