/**
 * `npm run bench`: the admin auth routes under load, next to the numbers that
 * say what "fast" can mean on this machine — a bare Hono worker (the ceiling
 * any worker reaches through wrangler dev here), each route's floor (a worker
 * making exactly that route's D1, KV, rate-limiter and crypto calls and
 * nothing else, behind the same static-assets front) and a worker that does
 * nothing but login's one PBKDF2 derivation.
 *
 * Everything runs on loopback with the repository's pinned wrangler and Node,
 * in a throwaway state folder; every process started is stopped on success,
 * failure or Ctrl-C. Flags: --duration S --rounds N --connections C --warmup S,
 * and --breakdown to also measure what each platform call costs (bench/probe).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import { measureOps, modelRoutes } from "./lib/breakdown.ts";
import { checkFloorCalls } from "./lib/floor-calls.ts";
import { checkFloorConfig, FLOOR_CONFIG } from "./lib/floor-config.ts";
import { login, nextClientIp, ROUTES, type RunSample, roundOrder, runTarget, type TargetKey, targets } from "./lib/load.ts";
import { killAllNow, stopAll } from "./lib/processes.ts";
import { type BenchReport, formatReport, type Goal, renderSvg } from "./lib/report.ts";
import { applyMigrations, type BenchAdmin, createBenchAdmins, environmentWithoutWorkerVars, writeSecretsEnvFile } from "./lib/setup.ts";
import { compareWithFloor, summarize, type TargetSummary } from "./lib/summary.ts";
import { buildWorker, type DevServer, ROOT, startDevServer } from "./lib/wrangler-dev.ts";

const RESULTS = join(import.meta.dirname, "results");

function positiveInteger(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  return value;
}

function readFlags() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "8" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "8" },
      warmup: { type: "string", default: "2" },
      breakdown: { type: "boolean", default: false },
    },
  });
  const settings = {
    durationSeconds: positiveInteger("duration", values.duration, 60),
    rounds: positiveInteger("rounds", values.rounds, 10),
    connections: positiveInteger("connections", values.connections, 64),
    warmupSeconds: positiveInteger("warmup", values.warmup, 30),
  };
  return { settings, breakdown: values.breakdown };
}

let flags: ReturnType<typeof readFlags>;
try {
  flags = readFlags();
} catch (error) {
  // Bad usage: one line and exit 2, before anything is started.
  console.error(`bench: ${error instanceof Error ? error.message : String(error)} (flags: --duration S --rounds N --connections C --warmup S --breakdown)`);
  process.exit(2);
}
const { settings } = flags;
const cores = availableParallelism();

/** The autocannon run in progress, so Ctrl-C can stop it before the servers go. */
const current: { instance: autocannon.Instance | null } = { instance: null };
const stateDir = mkdtempSync(join(tmpdir(), "scaikey-bench-"));

/** Set by Ctrl-C / SIGTERM to the exit code to end with. */
let interrupted: number | null = null;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    if (interrupted !== null) return;
    interrupted = code;
    console.error(`\n${signal}: stopping the load and every wrangler the bench started…`);
    current.instance?.stop();
    // With the servers gone, whatever main() awaits fails fast, and its finally cleans up and exits.
    void stopAll();
    // Should anything still hang, do not keep the user waiting.
    setTimeout(() => {
      killAllNow();
      process.exit(code);
    }, 20_000).unref();
  });
}
// Whatever else ends this process (an uncaught error, process.exit): no wrangler outlives it.
process.on("exit", killAllNow);

const log = (message: string) => console.error(`[bench] ${message}`);

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

interface Servers {
  ceiling: DevServer;
  auth: DevServer;
  floor: DevServer;
  pbkdf2: DevServer;
  probe: DevServer | null;
  admins: BenchAdmin[];
}

async function startServers(): Promise<Servers> {
  const env = environmentWithoutWorkerVars();
  const folder = (name: string) => {
    const path = join(stateDir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  // Each worker is bundled once into the state folder and served from there (see buildWorker). The two
  // small ones start while the real one's database is prepared; each has its own state folder.
  const small = (name: string, config: string) =>
    buildWorker(config, join(stateDir, "build", name), join(stateDir, `${name}.log`), env).then((script) =>
      startDevServer({ name, config, script, persistTo: folder(name), logPath: join(stateDir, `${name}.log`), readyPath: "/", env }),
    );
  const ceiling = small("ceiling", "bench/ceiling/wrangler.toml");
  const pbkdf2 = small("pbkdf2", "bench/pbkdf2/wrangler.toml");
  const probe = flags.breakdown ? small("probe", "bench/probe/wrangler.toml") : Promise.resolve(null);
  const workers = (async () => {
    const persistTo = folder("auth");
    const [envFile, script, floorScript] = await Promise.all([
      writeSecretsEnvFile(stateDir),
      buildWorker("wrangler.toml", join(stateDir, "build", "auth"), join(stateDir, "auth.log"), env),
      buildWorker(FLOOR_CONFIG, join(stateDir, "build", "floor"), join(stateDir, "floor.log"), env),
    ]);
    log("applying D1 migrations to the throwaway state folder…");
    await applyMigrations(persistTo);
    log(`creating ${settings.connections} bench admins, one per connection…`);
    const admins = await createBenchAdmins(persistTo, settings.connections);
    // The floor starts from the same rows: the migrated schema and the same admins with the same hashes.
    const floorPersistTo = join(stateDir, "floor");
    cpSync(persistTo, floorPersistTo, { recursive: true });
    const start = (name: string, config: string, script: string, persistTo: string, logName: string) =>
      startDevServer({
        name,
        config,
        script,
        persistTo,
        logPath: join(stateDir, logName),
        readyPath: "/health",
        extraArgs: ["--env-file", envFile],
        env,
      });
    const [server, floor] = await Promise.allSettled([
      start("auth worker", "wrangler.toml", script, persistTo, "auth.log"),
      start("floor worker", FLOOR_CONFIG, floorScript, floorPersistTo, "floor.log"),
    ]);
    if (server.status === "rejected") throw server.reason;
    if (floor.status === "rejected") throw floor.reason;
    return { server: server.value, floor: floor.value, admins };
  })();
  // allSettled, not all: every start must have finished (and registered its process) before a failure is reported.
  const [c, p, q, w] = await Promise.allSettled([ceiling, pbkdf2, probe, workers]);
  if (c.status === "rejected" || p.status === "rejected" || q.status === "rejected" || w.status === "rejected") {
    const reasons = [c, p, q, w].flatMap((result) =>
      result.status === "rejected" ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [],
    );
    throw new Error(reasons.join("\n\n"));
  }
  return { ceiling: c.value, pbkdf2: p.value, probe: q.value, auth: w.value.server, floor: w.value.floor, admins: w.value.admins };
}

/**
 * Checks, rather than assumes, how the login limit is kept from biting: that
 * wrangler dev hands the worker a client-supplied `cf-connecting-ip`, and that
 * the local rate limiter is live (the 11th login from one address is refused).
 */
async function checkLoginRateLimit(
  servers: { ceiling: DevServer; auth: DevServer },
  admin: { email: string; password: string },
): Promise<BenchReport["loginRateLimit"]> {
  const probe = nextClientIp();
  const echoed = (await (await fetch(`${servers.ceiling.url}/headers`, { headers: { "cf-connecting-ip": probe } })).json()) as Record<string, string | null>;
  const forwardsClientIp = echoed["cf-connecting-ip"] === probe;
  if (!forwardsClientIp) {
    throw new Error(
      `wrangler dev did not pass a client-supplied cf-connecting-ip to the worker (sent ${probe}, worker saw ${String(echoed["cf-connecting-ip"])}): ` +
        "every bench login would share one address and hit the 10-per-60-s limit. Run the worker with a bench-only copy of wrangler.toml under bench/ whose `ratelimits` limit is raised.",
    );
  }
  const sameIp = nextClientIp();
  const sameIpAttempts: number[] = [];
  for (let i = 0; i < 11; i++) sameIpAttempts.push((await login(servers.auth, admin, sameIp)).status);
  const limiterLive = sameIpAttempts.slice(0, 10).every((status) => status === 200) && sameIpAttempts[10] === 429;
  return {
    method: "distinct cf-connecting-ip per login from 198.18.0.0/15",
    lockout: `${settings.connections} bench admins, one per connection, all with the right password: the lockout counts each attempt before its check, so 5 or more logins of one email in flight at once would lock it`,
    forwardsClientIp,
    sameIpAttempts,
    note: limiterLive
      ? "wrangler dev forwards a client-supplied cf-connecting-ip (checked); the limiter is live (11 logins from one address: 10×200 then 429), so each bench login comes from its own 198.18.0.0/15 address and still pays for the limiter call"
      : `WARNING: 11 logins from one address answered ${sameIpAttempts.join(",")}, not 10×200 then 429: the local rate limiter may not be enforcing`,
  };
}

async function main(): Promise<number> {
  checkFloorConfig();
  await checkFloorCalls();
  log("the floor makes each route's D1, KV, rate-limiter and crypto calls (checked against the real worker's)");
  const loadAverageBefore = loadavg();
  log(`state folder ${stateDir}; starting ${flags.breakdown ? "five" : "four"} wrangler dev servers on 127.0.0.1…`);
  const startedAt = performance.now();
  const servers = await startServers();
  log(
    `servers ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s: ceiling ${servers.ceiling.url}, auth ${servers.auth.url}, floor ${servers.floor.url}, pbkdf2 ${servers.pbkdf2.url}`,
  );
  const loginRateLimit = await checkLoginRateLimit(servers, servers.admins[0] as BenchAdmin);
  log(loginRateLimit.note);

  const list = targets(servers, servers.admins);
  const options = { durationSeconds: settings.durationSeconds, connections: settings.connections, cores };
  // Warm-up: isolates started, JIT warm, SQLite pages cached, so round 1 is not the odd one out.
  for (const target of list) {
    if (interrupted !== null) return interrupted;
    log(`warm-up ${target.label} (${settings.warmupSeconds} s)`);
    await runTarget(target, 0, { ...options, durationSeconds: settings.warmupSeconds }, current);
  }
  // Interleaved rounds, so a slow drift of the machine (other jobs, thermal) touches every target alike.
  const samples = new Map<TargetKey, RunSample[]>(list.map((target) => [target.key, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of roundOrder(list, round)) {
      if (interrupted !== null) return interrupted;
      const sample = await runTarget(target, round, options, current);
      if (interrupted !== null) return interrupted;
      samples.get(target.key)?.push(sample);
      log(
        `round ${round}/${settings.rounds} ${target.label}: ${(sample.ok / sample.wallSeconds).toFixed(1)} req/s, ${sample.non2xx} non-2xx, ${sample.errors} errors`,
      );
    }
  }

  const ceilingSamples = samples.get("ceiling") ?? [];
  const ceiling = summarize("ceiling", list[0]?.label ?? "ceiling", ceilingSamples, null);
  const summaries: TargetSummary[] = list.map((target) =>
    target.key === "ceiling" ? ceiling : summarize(target.key, target.label, samples.get(target.key) ?? [], ceiling),
  );
  const byKey = (key: TargetKey) => summaries.find((summary) => summary.key === key) as TargetSummary;
  const ratios = {
    meToCeiling: byKey("me").ratioToCeiling,
    refreshToCeiling: byKey("refresh").ratioToCeiling,
    loginToCeiling: byKey("login").ratioToCeiling,
    pbkdf2ToCeiling: byKey("pbkdf2").ratioToCeiling,
    loginToPbkdf2: byKey("login").reqPerSec / byKey("pbkdf2").reqPerSec,
  };
  const floor = ROUTES.map((route) => compareWithFloor(route, byKey(route), byKey(`${route}-floor`)));
  const goal = (name: string, value: number, atLeast: number): Goal => ({ name, value, atLeast, met: value >= atLeast });
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    machine: {
      cores,
      cpuModel: cpus()[0]?.model ?? "unknown",
      platform: `${process.platform}-${process.arch}`,
      loadAverageBefore,
      loadAverageAfter: loadavg(),
    },
    versions: { node: process.version, wrangler: version("wrangler"), workerd: version("workerd"), autocannon: version("autocannon"), hono: version("hono") },
    settings: { ...settings, order: list.map((target) => target.key) },
    loginRateLimit,
    targets: summaries,
    ratios,
    floor,
    goals: [
      ...floor.map((comparison) => goal(`${comparison.label} ÷ floor (median of rounds)`, comparison.ratio, 0.95)),
      goal("/me ÷ ceiling", ratios.meToCeiling, 0.6),
      goal("/refresh ÷ ceiling", ratios.refreshToCeiling, 0.35),
      goal("/login ÷ PBKDF2-only", ratios.loginToPbkdf2, 0.9),
    ],
  };
  if (servers.probe) {
    const ops = await measureOps(servers.probe, { ...options, durationSeconds: Math.min(settings.durationSeconds, 4) }, 1, log, current);
    report.breakdown = { ops, routes: modelRoutes(ops, summaries) };
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, "latest.svg"), renderSvg(report));
  console.log(`\n${formatReport(report)}\n\nwritten: bench/results/latest.json, bench/results/latest.svg`);
  // Goals missed are findings, not failures; answers that were refused or never came make the figures meaningless.
  const invalid = summaries.filter((summary) => summary.non2xx > 0 || summary.errors > 0);
  if (invalid.length > 0) {
    console.error(
      `\n[bench] refused or failed requests on ${invalid.map((s) => s.label).join(", ")}: those figures are not valid (see statuses above); logs kept in ${stateDir}`,
    );
    return 1;
  }
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (interrupted === null) {
    console.error(`\n[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`[bench] logs kept in ${stateDir}`);
  }
} finally {
  current.instance?.stop();
  await stopAll();
}
if (interrupted !== null) exitCode = interrupted;
// Kept after a failure, for its logs; an interrupted run has nothing to look at.
if (exitCode === 0 || interrupted !== null) rmSync(stateDir, { recursive: true, force: true });
process.exit(exitCode);
