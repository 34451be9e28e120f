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
 * --primary-rtt MS --replica-rtt MS add a latency phase (bench/latency/): each
 * route one request at a time with D1's primary that far away, counting its
 * round trips; --latency-only skips the throughput phase.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import { measureOps, modelRoutes } from "./lib/breakdown.ts";
import { checkFloorCalls } from "./lib/floor-calls.ts";
import { checkFloorConfig, FLOOR_CONFIG } from "./lib/floor-config.ts";
import { type LatencyReport, type LatencySettings, type PreparedLatency, prepareLatency, runLatencyPhase, startLatencyServer } from "./lib/latency.ts";
import { checkLatencyConfig } from "./lib/latency-config.ts";
import { login, nextClientIp, ROUTES, type RunSample, roundOrder, runTarget, type TargetKey, targets } from "./lib/load.ts";
import { killAllNow, stopAll } from "./lib/processes.ts";
import { type BenchReport, formatLatency, formatReport, type Goal, renderSvg } from "./lib/report.ts";
import { applyMigrations, type BenchAdmin, createBenchAdmins, environmentWithoutWorkerVars, writeSecretsEnvFile } from "./lib/setup.ts";
import { compareWithFloor, summarize, type TargetSummary } from "./lib/summary.ts";
import { buildWorker, type DevServer, ROOT, startDevServer } from "./lib/wrangler-dev.ts";

const RESULTS = join(import.meta.dirname, "results");

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

const positiveInteger = (name: string, text: string, max: number): number => wholeNumber(name, text, 1, max);

const USAGE =
  "flags: --duration S --rounds N --connections C --warmup S --breakdown; --primary-rtt MS --replica-rtt MS [--latency-requests N] [--latency-only]";

function readFlags() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string" },
      warmup: { type: "string" },
      breakdown: { type: "boolean", default: false },
      "primary-rtt": { type: "string" },
      "replica-rtt": { type: "string" },
      "latency-requests": { type: "string" },
      "latency-only": { type: "boolean", default: false },
    },
  });
  const settings = {
    durationSeconds: positiveInteger("duration", values.duration ?? "8", 60),
    rounds: positiveInteger("rounds", values.rounds ?? "3", 10),
    connections: positiveInteger("connections", values.connections ?? "8", 64),
    warmupSeconds: positiveInteger("warmup", values.warmup ?? "2", 30),
  };
  const primary = values["primary-rtt"];
  const replica = values["replica-rtt"];
  if ((primary === undefined) !== (replica === undefined)) throw new Error("--primary-rtt and --replica-rtt go together");
  let latency: LatencySettings | null = null;
  if (primary !== undefined && replica !== undefined) {
    latency = {
      primaryRttMs: wholeNumber("primary-rtt", primary, 0, 2000),
      replicaRttMs: wholeNumber("replica-rtt", replica, 0, 2000),
      requests: positiveInteger("latency-requests", values["latency-requests"] ?? "40", 500),
      warmup: LATENCY_WARMUP_REQUESTS,
    };
  } else if (values["latency-requests"] !== undefined || values["latency-only"]) {
    throw new Error("--latency-requests and --latency-only need --primary-rtt and --replica-rtt");
  }
  if (values["latency-only"]) {
    const throughput = ["duration", "rounds", "connections", "warmup"].filter((name) => values[name as keyof typeof values] !== undefined);
    if (values.breakdown) throughput.push("breakdown");
    if (throughput.length > 0) throw new Error(`--latency-only runs no throughput phase, so --${throughput.join(", --")} would do nothing`);
  }
  return { settings, breakdown: values.breakdown, latency, latencyOnly: values["latency-only"] };
}

/** Unmeasured requests per route before the measured ones: isolate started, JIT and SQLite pages warm. */
const LATENCY_WARMUP_REQUESTS = 5;

let flags: ReturnType<typeof readFlags>;
try {
  flags = readFlags();
} catch (error) {
  // Bad usage: one line and exit 2, before anything is started.
  console.error(`bench: ${error instanceof Error ? error.message : String(error)} (${USAGE})`);
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

/** A worker without state to prepare (ceiling, PBKDF2 only, probe), ready on `/`. */
function startSmallWorker(name: string, config: string, env: NodeJS.ProcessEnv): Promise<DevServer> {
  const persistTo = join(stateDir, name);
  mkdirSync(persistTo, { recursive: true });
  return buildWorker(config, join(stateDir, "build", name), join(stateDir, `${name}.log`), env).then((script) =>
    startDevServer({ name, config, script, persistTo, logPath: join(stateDir, `${name}.log`), readyPath: "/", env }),
  );
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
  const small = (name: string, config: string) => startSmallWorker(name, config, env);
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

/** The latency phase on its own server (started now, stopped after), next to the PBKDF2-only worker already running. */
async function latencyPhase(settings: LatencySettings, pbkdf2: DevServer, prepared: PreparedLatency): Promise<LatencyReport | null> {
  const secrets = join(stateDir, "latency-secrets");
  mkdirSync(secrets, { recursive: true });
  const envFile = await writeSecretsEnvFile(secrets);
  log(`starting the latency worker (D1 primary ${settings.primaryRttMs} ms away, replica and KV reads ${settings.replicaRttMs} ms)…`);
  const server = await startLatencyServer(prepared, settings, stateDir, envFile, environmentWithoutWorkerVars());
  try {
    return await runLatencyPhase(server, pbkdf2, prepared, settings, log, () => interrupted !== null);
  } finally {
    await server.stop();
  }
}

const latencyFailed = (latency: LatencyReport): string[] => [
  ...Object.values(latency.routes).flatMap((route) => (route.non2xx + route.errors > 0 ? [`${route.label} ${JSON.stringify(route.statuses)}`] : [])),
  ...(latency.pbkdf2.non2xx + latency.pbkdf2.errors > 0 ? ["PBKDF2 only"] : []),
];

/**
 * `--latency-only`: no throughput phase. latest.json keeps whatever the last
 * full run wrote and gets this run's `latency` section (which carries its own
 * `generatedAt`); latest.svg is left alone.
 */
async function latencyOnly(settings: LatencySettings): Promise<number> {
  const env = environmentWithoutWorkerVars();
  log(`state folder ${stateDir}; latency phase only: preparing the latency worker and the PBKDF2-only worker…`);
  const [prepared, pbkdf2] = await Promise.allSettled([prepareLatency(stateDir, settings, env), startSmallWorker("pbkdf2", "bench/pbkdf2/wrangler.toml", env)]);
  if (prepared.status === "rejected") throw prepared.reason;
  if (pbkdf2.status === "rejected") throw pbkdf2.reason;
  const latency = await latencyPhase(settings, pbkdf2.value, prepared.value);
  if (latency === null) return interrupted ?? 130;
  const path = join(RESULTS, "latest.json");
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    // No earlier run (or an unreadable one): the file holds the latency section alone.
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...previous, latency }, null, 2)}\n`);
  const from = typeof previous.generatedAt === "string" ? `; its other sections are from the run of ${previous.generatedAt}` : "";
  console.log(`\n${formatLatency(latency)}\n\nwritten: the latency section of bench/results/latest.json${from}`);
  return reportInvalidLatency(latency);
}

function reportInvalidLatency(latency: LatencyReport): number {
  const failed = latencyFailed(latency);
  if (failed.length === 0) return 0;
  console.error(`\n[bench] refused or failed requests in the latency phase (${failed.join(", ")}): those figures are not valid; logs kept in ${stateDir}`);
  return 1;
}

async function main(): Promise<number> {
  if (flags.latency) checkLatencyConfig();
  if (flags.latency && flags.latencyOnly) return latencyOnly(flags.latency);
  // Bundled and seeded now, with the other workers, so it measures the tree as it was at start; started after the throughput phase.
  const preparingLatency = flags.latency ? prepareLatency(stateDir, flags.latency, environmentWithoutWorkerVars()) : null;
  // Awaited later; should the bench fail first, this failure is not the one to report.
  preparingLatency?.catch(() => undefined);
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
  if (flags.latency && preparingLatency) {
    const latency = await latencyPhase(flags.latency, servers.pbkdf2, await preparingLatency);
    if (latency === null) return interrupted ?? 130;
    report.latency = latency;
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, "latest.svg"), renderSvg(report));
  const latencyTable = report.latency ? `\n\n${formatLatency(report.latency)}` : "";
  console.log(`\n${formatReport(report)}${latencyTable}\n\nwritten: bench/results/latest.json, bench/results/latest.svg`);
  if (report.latency && reportInvalidLatency(report.latency) !== 0) return 1;
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
