import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { readWranglerConfig } from "../../scripts/lib/wrangler.ts";
import { decodeBase32 } from "../../src/encoding/base32.ts";
import { hotp, importTotpKey, TOTP_PERIOD_SECONDS, totpStep } from "../../src/mfa/totp.ts";
import { SoftwareAuthenticator } from "../../test/support/software-authenticator.ts";
import { REQUEST_ID_HEADER, RTT_VARS, type SettledTrips, TRIP_HEADERS, TRIPS_PATH } from "../latency/protocol.ts";
import type { RoundTrips } from "../latency/simulated-latency.ts";
import { LATENCY_CONFIG } from "./latency-config.ts";
import { AUTH, login, nextClientIp } from "./load.ts";
import { applyMigrations, type BenchAdmin, createBenchAdmins } from "./setup.ts";
import { percentile } from "./summary.ts";
import { buildWorker, type DevServer, startDevServer } from "./wrangler-dev.ts";

export interface LatencySettings {
  primaryRttMs: number;
  replicaRttMs: number;
  /** Measured requests per route, after `warmup` unmeasured ones. */
  requests: number;
  warmup: number;
}

/** The sign-in and session routes the phase measures, in order. */
export const LATENCY_ROUTES = ["me", "refresh", "login", "loginTotp", "passkeyLogin"] as const;
export type LatencyRoute = (typeof LATENCY_ROUTES)[number];

export const LATENCY_LABELS: Record<LatencyRoute | "pbkdf2", string> = {
  me: "GET /me",
  refresh: "POST /refresh",
  login: "POST /login (password)",
  loginTotp: "POST /login (password + TOTP)",
  passkeyLogin: "POST /passkeys/login/verify",
  pbkdf2: "PBKDF2 only",
};

export interface LatencyRouteResult {
  label: string;
  requests: number;
  /** Per request, round trips the answer waited for; the largest over the route's requests (see `varied`). */
  primaryRoundTrips: number;
  replicaRoundTrips: number;
  kvReads: number;
  p50Ms: number;
  minMs: number;
  maxMs: number;
  /** Set when the route's requests did not all make the same round trips before answering: min–max of each. */
  varied?: Partial<Record<keyof RoundTrips, [number, number]>>;
  /** Round trips after the answer (`waitUntil` work), the largest over the route's requests; null if not all were read back. */
  afterAnswer: RoundTrips | null;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
}

export interface LatencyGoal {
  name: string;
  valueMs: number;
  limitMs: number;
  /** `≤ limit` when inclusive, `< limit` otherwise. */
  inclusive: boolean;
  met: boolean;
}

export interface LatencyReport {
  generatedAt: string;
  primaryRttMs: number;
  replicaRttMs: number;
  requestsPerRoute: number;
  warmupPerRoute: number;
  routes: Partial<Record<LatencyRoute, LatencyRouteResult>>;
  pbkdf2: { p50Ms: number; requests: number; non2xx: number; errors: number };
  goals: LatencyGoal[];
  notes: string[];
}

/** Everything the phase needs before its server starts: the bundle and a migrated state with its admins. */
export interface PreparedLatency {
  script: string;
  persistTo: string;
  /** Logs in with the password only (me, refresh, login). */
  passwordAdmin: BenchAdmin;
  /** Enrolled in TOTP at the start of the phase; each used at most once per TOTP step. */
  totpAdmins: BenchAdmin[];
}

/**
 * A TOTP code is accepted once per admin per 30 s step, and a login here
 * takes a few hundred ms, so one step can hold more loginTotp requests than
 * admins: the pool is one admin per request up to this many, and past it the
 * phase waits (unmeasured) for the next step.
 */
const MAX_TOTP_ADMINS = 60;
/** Enrolments in flight at once: each waits on simulated round trips, not CPU. */
const ENROL_CONCURRENCY = 8;

/** Bundled like the other workers, on its own migrated state with its own admins (bench-latency-N). */
export async function prepareLatency(stateDir: string, settings: LatencySettings, env: NodeJS.ProcessEnv): Promise<PreparedLatency> {
  const persistTo = join(stateDir, "latency");
  mkdirSync(persistTo, { recursive: true });
  const script = await buildWorker(LATENCY_CONFIG, join(stateDir, "build", "latency"), join(stateDir, "latency.log"), env);
  await applyMigrations(persistTo);
  const totpCount = Math.min(MAX_TOTP_ADMINS, settings.warmup + settings.requests);
  const [passwordAdmin, ...totpAdmins] = await createBenchAdmins(persistTo, 1 + totpCount, "bench-latency-");
  return { script, persistTo, passwordAdmin: passwordAdmin as BenchAdmin, totpAdmins };
}

export function startLatencyServer(prepared: PreparedLatency, settings: LatencySettings, stateDir: string, envFile: string, env: NodeJS.ProcessEnv) {
  return startDevServer({
    name: "latency worker",
    config: LATENCY_CONFIG,
    script: prepared.script,
    persistTo: prepared.persistTo,
    logPath: join(stateDir, "latency.log"),
    readyPath: "/health",
    extraArgs: ["--env-file", envFile, "--var", `${RTT_VARS.primary}:${settings.primaryRttMs}`, "--var", `${RTT_VARS.replica}:${settings.replicaRttMs}`],
    env,
  });
}

interface Sample {
  id: string;
  ms: number;
  status: number | null;
  trips: RoundTrips | null;
}

/** One request of a route: where to send it, and what to do with the answer (a refresh chain's next token). */
interface Step {
  path: string;
  init: RequestInit;
  answered?: (status: number, body: string) => void;
}

type Driver = () => Promise<Step>;

const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

interface TotpAdmin {
  admin: BenchAdmin;
  key: CryptoKey;
  /** The last step whose code was spent (by the confirmation, then by logins). */
  lastStep: number;
}

/**
 * Turns TOTP on for each admin through the real routes, as the admin panel
 * does: log in, set up, confirm. The confirmation uses the previous step's
 * code (accepted: one step of drift), so the current step is still free for
 * the first measured login.
 */
async function enrolTotp(server: DevServer, admins: BenchAdmin[]): Promise<TotpAdmin[]> {
  const enrolled: TotpAdmin[] = [];
  const queue = [...admins];
  const enrolOne = async (admin: BenchAdmin): Promise<TotpAdmin> => {
    const { status, tokens } = await login(server, admin);
    if (!tokens) throw new Error(`enrolling ${admin.email}: login answered ${status}`);
    const authorization = `Bearer ${tokens.access_token}`;
    const setup = await fetch(`${server.url}${AUTH}/mfa/totp/setup`, { method: "POST", headers: { authorization } });
    if (setup.status !== 200) throw new Error(`enrolling ${admin.email}: setup answered ${setup.status} ${await setup.text()}`);
    const { secret } = (await setup.json()) as { secret: string };
    const key = await importTotpKey(decodeBase32(secret));
    const step = totpStep(Date.now()) - 1;
    const confirm = await fetch(`${server.url}${AUTH}/mfa/totp/confirm`, jsonPost({ code: await hotp(key, step) }, { authorization }));
    if (confirm.status !== 200) throw new Error(`enrolling ${admin.email}: confirm answered ${confirm.status} ${await confirm.text()}`);
    await confirm.arrayBuffer();
    return { admin, key, lastStep: step };
  };
  const worker = async () => {
    for (let admin = queue.shift(); admin; admin = queue.shift()) enrolled.push(await enrolOne(admin));
  };
  await Promise.all(Array.from({ length: ENROL_CONCURRENCY }, worker));
  return enrolled;
}

async function drivers(server: DevServer, prepared: PreparedLatency, log: (message: string) => void): Promise<Partial<Record<LatencyRoute, Driver>>> {
  const admin = prepared.passwordAdmin;
  const tokensFor = async () => {
    const { status, tokens } = await login(server, admin);
    if (!tokens) throw new Error(`latency setup login failed with HTTP ${status}`);
    return tokens;
  };
  // /me only reads, and the 15-minute access token outlives the phase.
  const { access_token: accessToken } = await tokensFor();
  // One rotating chain: each answer's refresh_token is the next request's.
  const chain = { token: (await tokensFor()).refresh_token };
  log(`enrolling ${prepared.totpAdmins.length} bench admins in TOTP through the real routes…`);
  const totp = await enrolTotp(server, prepared.totpAdmins);
  return {
    me: async () => ({ path: `${AUTH}/me`, init: { headers: { authorization: `Bearer ${accessToken}` } } }),
    refresh: async () => ({
      path: `${AUTH}/refresh`,
      init: jsonPost({ refresh_token: chain.token }),
      answered: (status, body) => {
        if (status === 200) chain.token = (JSON.parse(body) as { refresh_token: string }).refresh_token;
      },
    }),
    // Sequential logins of one admin: a success clears the lockout count, and each comes from its own address.
    login: async () => ({ path: `${AUTH}/login`, init: jsonPost({ email: admin.email, password: admin.password }, { "cf-connecting-ip": nextClientIp() }) }),
    loginTotp: async () => {
      let step = totpStep(Date.now());
      let next = totp.find((candidate) => candidate.lastStep < step);
      if (!next) {
        const wait = (step + 1) * TOTP_PERIOD_SECONDS * 1000 - Date.now() + 50;
        log(`every TOTP admin has spent this step's code: waiting ${(wait / 1000).toFixed(1)} s (unmeasured) for the next`);
        await new Promise((resolve) => setTimeout(resolve, wait));
        step = totpStep(Date.now());
        next = totp.find((candidate) => candidate.lastStep < step) as TotpAdmin;
      }
      next.lastStep = step;
      const body = { email: next.admin.email, password: next.admin.password, mfa_code: await hotp(next.key, step) };
      return { path: `${AUTH}/login`, init: jsonPost(body, { "cf-connecting-ip": nextClientIp() }) };
    },
  };
}

/**
 * Passkey sign-in, driven as the admin panel does it: the password admin
 * registers one passkey of a software authenticator (ES256, attestation
 * "none") through `/passkeys/register/options` and `/verify`; then each
 * request fetches `/passkeys/login/options` (unmeasured, while the step is
 * built) and times `/passkeys/login/verify` with an assertion over that
 * challenge. Each call has its own client address, as the login limiters
 * count both routes.
 */
async function passkeyLogin(server: DevServer, admin: BenchAdmin): Promise<Driver> {
  const fail = async (what: string, response: Response) => new Error(`passkeyLogin setup: ${what} answered ${response.status} ${await response.text()}`);
  const { status, tokens } = await login(server, admin);
  if (!tokens) throw new Error(`passkeyLogin setup: login answered ${status}`);
  const authorization = `Bearer ${tokens.access_token}`;
  const device = new SoftwareAuthenticator(webauthnOrigin());
  const options = await fetch(`${server.url}${AUTH}/passkeys/register/options`, { method: "POST", headers: { authorization } });
  if (options.status !== 200) throw await fail("register/options", options);
  const registration = await device.create((await options.json()) as PublicKeyCredentialCreationOptionsJSON);
  const verify = await fetch(`${server.url}${AUTH}/passkeys/register/verify`, jsonPost({ response: registration }, { authorization }));
  if (verify.status !== 200) throw await fail("register/verify", verify);
  await verify.arrayBuffer();
  return async () => {
    const challenge = await fetch(`${server.url}${AUTH}/passkeys/login/options`, { method: "POST", headers: { "cf-connecting-ip": nextClientIp() } });
    if (challenge.status !== 200) throw await fail("login/options", challenge);
    const assertion = await device.get((await challenge.json()) as PublicKeyCredentialRequestOptionsJSON);
    return { path: `${AUTH}/passkeys/login/verify`, init: jsonPost({ response: assertion }, { "cf-connecting-ip": nextClientIp() }) };
  };
}

/** The origin the latency worker accepts passkeys from (its WEBAUTHN_ORIGINS, the same as wrangler.toml's): the authenticator's page. */
function webauthnOrigin(): string {
  const origins = String(readWranglerConfig(LATENCY_CONFIG).vars?.WEBAUTHN_ORIGINS ?? "");
  const [first] = origins.split(",");
  if (!first) throw new Error(`${LATENCY_CONFIG} has no WEBAUTHN_ORIGINS`);
  return first.trim();
}

function tripsFrom(response: Response): RoundTrips | null {
  const read = (trip: keyof RoundTrips) => Number(response.headers.get(TRIP_HEADERS[trip]) ?? Number.NaN);
  const trips = { primary: read("primary"), replica: read("replica"), kvReads: read("kvReads"), kvWrites: read("kvWrites") };
  return Object.values(trips).every(Number.isInteger) ? trips : null;
}

/** One request at a time on one keep-alive connection: latency, not throughput. */
async function drive(key: string, url: string, step: Driver, count: number, warmup: number, latency: boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let index = 0; index < warmup + count; index++) {
    const { path, init, answered } = await step();
    const id = `${key}-${index}`;
    const headers = new Headers(init.headers);
    if (latency) headers.set(REQUEST_ID_HEADER, id);
    const started = performance.now();
    let status: number | null = null;
    let trips: RoundTrips | null = null;
    try {
      const response = await fetch(`${url}${path}`, { ...init, headers, signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      status = response.status;
      trips = tripsFrom(response);
      answered?.(response.status, body);
    } catch {
      // No answer: counted as an error below.
    }
    const ms = performance.now() - started;
    if (index >= warmup) samples.push({ id, ms, status, trips });
  }
  return samples;
}

/** Each measured request's trips after its answer, once its `waitUntil` work is done (polled: it may still be waiting). */
async function settledTrips(server: DevServer, ids: string[]): Promise<SettledTrips> {
  const all: SettledTrips = {};
  const deadline = Date.now() + 15_000;
  while (ids.some((id) => !(id in all)) && Date.now() < deadline) {
    Object.assign(all, (await (await fetch(`${server.url}${TRIPS_PATH}`)).json()) as SettledTrips);
    if (ids.some((id) => !(id in all))) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return all;
}

function summarizeRoute(label: string, samples: Sample[], settled: SettledTrips): LatencyRouteResult {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const sample of samples) {
    const status = sample.status === null ? "no answer" : String(sample.status);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const counted = samples.flatMap((sample) => (sample.trips ? [sample.trips] : []));
  const range = (trip: keyof RoundTrips): [number, number] => {
    const values = counted.map((trips) => trips[trip]);
    return values.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...values), Math.max(...values)];
  };
  const varied: LatencyRouteResult["varied"] = {};
  for (const trip of Object.keys(TRIP_HEADERS) as (keyof RoundTrips)[]) {
    const [min, max] = range(trip);
    if (min !== max) varied[trip] = [min, max];
  }
  const after = samples.map((sample) => settled[sample.id]?.afterAnswer);
  const afterAnswer = after.every((trips) => trips !== undefined)
    ? (after as RoundTrips[]).reduce(
        (most, trips) => ({
          primary: Math.max(most.primary, trips.primary),
          replica: Math.max(most.replica, trips.replica),
          kvReads: Math.max(most.kvReads, trips.kvReads),
          kvWrites: Math.max(most.kvWrites, trips.kvWrites),
        }),
        { primary: 0, replica: 0, kvReads: 0, kvWrites: 0 },
      )
    : null;
  return {
    label,
    requests: samples.length,
    primaryRoundTrips: range("primary")[1],
    replicaRoundTrips: range("replica")[1],
    kvReads: range("kvReads")[1],
    p50Ms: percentile(sorted, 50),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    ...(Object.keys(varied).length > 0 ? { varied } : {}),
    afterAnswer,
    statuses,
    non2xx: samples.filter((sample) => sample.status !== null && (sample.status < 200 || sample.status >= 300)).length,
    errors: samples.filter((sample) => sample.status === null).length,
  };
}

/** Allowance on top of the primary round trip and the derivation: the worker's own code, tokens and the replica reads. */
const LOGIN_SLACK_MS = 30;
const ME_LIMIT_MS = 30;

/**
 * The latency phase: each route driven one request at a time through
 * bench/latency/worker.ts, then the PBKDF2-only worker the same way, and the
 * issue's acceptance checked (a missed goal is a finding, not a failure).
 */
export async function runLatencyPhase(
  server: DevServer,
  pbkdf2: DevServer,
  prepared: PreparedLatency,
  settings: LatencySettings,
  log: (message: string) => void,
  interrupted: () => boolean,
): Promise<LatencyReport | null> {
  const notes: string[] = [];
  const routeDrivers = { ...(await drivers(server, prepared, log)), passkeyLogin: await passkeyLogin(server, prepared.passwordAdmin) };
  const routes: LatencyReport["routes"] = {};
  for (const route of LATENCY_ROUTES) {
    if (interrupted()) return null;
    const driver = routeDrivers[route];
    if (!driver) continue;
    log(`latency ${LATENCY_LABELS[route]}: ${settings.warmup} warm-up + ${settings.requests} requests, one at a time`);
    const samples = await drive(route, server.url, driver, settings.requests, settings.warmup, true);
    const settled = await settledTrips(
      server,
      samples.map((sample) => sample.id),
    );
    routes[route] = summarizeRoute(LATENCY_LABELS[route], samples, settled);
  }
  if (interrupted()) return null;
  log(`latency ${LATENCY_LABELS.pbkdf2}: ${settings.warmup} warm-up + ${settings.requests} requests, one at a time`);
  const derivation = await drive(
    "pbkdf2",
    pbkdf2.url,
    async () => ({ path: "/", init: jsonPost({ email: prepared.passwordAdmin.email, password: prepared.passwordAdmin.password }) }),
    settings.requests,
    settings.warmup,
    false,
  );
  const pbkdf2Summary = summarizeRoute(LATENCY_LABELS.pbkdf2, derivation, {});
  const goals: LatencyGoal[] = [];
  const signInLimit = settings.primaryRttMs + pbkdf2Summary.p50Ms + LOGIN_SLACK_MS;
  for (const route of ["login", "loginTotp", "passkeyLogin"] as const) {
    const result = routes[route];
    if (!result) continue;
    goals.push({
      name: `${result.label} p50 ≤ primary RTT + PBKDF2-only p50 + ${LOGIN_SLACK_MS} ms`,
      valueMs: result.p50Ms,
      limitMs: signInLimit,
      inclusive: true,
      met: result.p50Ms <= signInLimit,
    });
  }
  if (routes.me) {
    goals.push({
      name: `${routes.me.label} p50 < ${ME_LIMIT_MS} ms`,
      valueMs: routes.me.p50Ms,
      limitMs: ME_LIMIT_MS,
      inclusive: false,
      met: routes.me.p50Ms < ME_LIMIT_MS,
    });
  }
  for (const [route, result] of Object.entries(routes)) {
    if (result.varied)
      notes.push(`${route}: requests differed in round trips before answering (${JSON.stringify(result.varied)}); the figures are the largest`);
    if (!result.afterAnswer) notes.push(`${route}: the worker did not report every request's round trips after its answer in time`);
  }
  return {
    generatedAt: new Date().toISOString(),
    primaryRttMs: settings.primaryRttMs,
    replicaRttMs: settings.replicaRttMs,
    requestsPerRoute: settings.requests,
    warmupPerRoute: settings.warmup,
    routes,
    pbkdf2: { p50Ms: pbkdf2Summary.p50Ms, requests: pbkdf2Summary.requests, non2xx: pbkdf2Summary.non2xx, errors: pbkdf2Summary.errors },
    goals,
    notes,
  };
}
