import { readWranglerConfig } from "../../scripts/lib/wrangler.ts";
import worker from "../../src/index.ts";
import { hashPassword } from "../../src/passwords/hash-password.ts";
import floor from "../floor/worker.ts";
import { ROUTE_LABELS, ROUTES, type Route } from "./load.ts";
import { localSecrets } from "./setup.ts";

/**
 * Checks, before anything is measured, that each floor route makes the same
 * platform calls as the real route: both workers' own `fetch` run here in
 * Node against recording stand-ins for D1, KV and the rate limiter, with
 * WebCrypto's methods counted, and the two traces must be equal — each D1
 * batch with its statements' SQL, each single query, each KV read or write
 * (by key prefix), each limiter call, each signature, verification and
 * derivation, and each line logged (the request line, its duration set
 * aside). So when src/ changes a route's queries, calls or log line, the bench
 * says so instead of comparing against a floor that no longer matches.
 */
export async function checkFloorCalls(): Promise<void> {
  const secrets = await localSecrets();
  const config = readWranglerConfig("wrangler.toml");
  const vars = Object.fromEntries(Object.entries(config.vars ?? {}).map(([name, value]) => [name, String(value)]));
  const password = "a bench password long enough";
  const admin = await adminColumns(password, Number(vars.PBKDF2_ITERATIONS));
  const mismatches: string[] = [];
  // The bench's clients are IPv4; a login from IPv6 is traced too, since it is also counted per /48.
  const cases = [...ROUTES.map((route) => ({ route, clientIp: BENCH_CLIENT_IP })), { route: "login" as const, clientIp: "2001:db8::1" }];
  for (const { route, clientIp } of cases) {
    const project = await trace(worker.fetch as unknown as Fetch, { ...vars, ...secrets }, admin, password, route, clientIp);
    const ours = await trace(floor.fetch as unknown as Fetch, secrets, admin, password, route, clientIp);
    if (JSON.stringify(project) !== JSON.stringify(ours)) {
      mismatches.push(
        `${ROUTE_LABELS[route]} from ${clientIp}:\n    real worker: ${project.join("\n                 ")}\n    floor:       ${ours.join("\n                 ")}`,
      );
    }
  }
  if (mismatches.length > 0)
    throw new Error(`the floor no longer makes the calls the real routes make (update bench/floor/worker.ts):\n  ${mismatches.join("\n  ")}`);
}

const BENCH_CLIENT_IP = "198.18.0.1";

/** Either worker's `fetch`, handed stand-ins that have the bindings' shapes but not their types. */
type Fetch = (request: Request, env: Record<string, unknown>, ctx: ExecutionContext) => Promise<Response>;

/** An admin row in `admins`' column order, with a real PBKDF2 hash of `password`. */
async function adminColumns(password: string, iterations: number): Promise<Record<string, unknown>> {
  const now = Date.now();
  return {
    id: "admin-1",
    email: "bench-1@example.com",
    name: "Bench Admin 1",
    role: "admin",
    password_hash: await hashPassword(password, iterations),
    is_active: 1,
    created_at: now,
    updated_at: now,
    last_login_at: null,
    security_stamp: "stamp",
    totp_secret: null,
    totp_pending_secret: null,
    totp_last_step: null,
    totp_earlier_steps: 0,
    webauthn_user_id: null,
    passkey_only: 0,
  };
}

/**
 * Rows for the statements the routes make, by the start of their SQL: what
 * a live admin's successful login, refresh and /me read back. Anything else
 * reads nothing.
 */
function rowsFor(sql: string, admin: Record<string, unknown>): Record<string, unknown>[] {
  const now = Date.now();
  if (sql.startsWith('select "id", "email"')) return [admin];
  if (sql.startsWith('insert into "login_throttle"')) return [{ failures: 1 }];
  if (sql.startsWith('insert into "sessions"')) return [{ id: "session-1" }];
  if (sql.startsWith('update "sessions" set "refresh_jti"')) return [{ amr: '["pwd"]', expires_at: now + 86_400_000 }];
  if (sql.startsWith('select "admins"."id"')) return [{ ...admin, revoked_at: null, expires_at: now + 86_400_000, session_created_at: now }];
  return [];
}

/** Logs in (untraced), then runs `route` once to warm each isolate-level cache and once traced. */
async function trace(
  fetch: Fetch,
  values: Record<string, string>,
  admin: Record<string, unknown>,
  password: string,
  route: Route,
  clientIp: string,
): Promise<string[]> {
  const calls: string[] = [];
  const recording = { on: false };
  const record = (call: string) => {
    if (recording.on) calls.push(call);
  };
  const env = { ...values, ...bindings(record, admin) };
  const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
  const login = async () => {
    const response = await fetch(request("login", clientIp, { email: admin.email, password }), env, ctx);
    if (!response.ok) throw new Error(`checking the floor's calls: login answered ${response.status}`);
    return (await response.json()) as { access_token: string; refresh_token: string };
  };
  const call = async () => {
    const tokens = route === "login" ? null : await login();
    const sent =
      route === "login"
        ? request("login", clientIp, { email: admin.email, password })
        : route === "refresh"
          ? request("refresh", clientIp, { refresh_token: tokens?.refresh_token })
          : request("me", clientIp, null, tokens?.access_token);
    recording.on = true;
    const restore = countCrypto(record);
    try {
      const response = await fetch(sent, env, ctx);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`checking the floor's calls: ${ROUTE_LABELS[route]} answered ${response.status}`);
    } finally {
      restore();
      recording.on = false;
    }
  };
  // Both write a request line with console.log: traced, kept off the bench's output, shown if a call fails.
  const logged: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => {
    const line = parts.map(String).join(" ");
    logged.push(line);
    record(`log ${line.replace(/"duration_ms":\d+/, '"duration_ms":…')}`);
  };
  console.error = console.log;
  try {
    await call();
    calls.length = 0;
    await call();
  } catch (failure) {
    throw new Error(`${failure instanceof Error ? failure.message : String(failure)}; the worker logged:\n${logged.join("\n")}`);
  } finally {
    console.log = log;
    console.error = error;
  }
  return calls;
}

function request(route: Route, clientIp: string, body: unknown, accessToken?: string): Request {
  const url = `https://bench.example/api/v1/admin/auth/${route}`;
  const headers = { "cf-connecting-ip": clientIp };
  if (route === "me") return new Request(url, { headers: { ...headers, authorization: `Bearer ${accessToken}` } });
  return new Request(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** KV keys are `<kind>:<id>`: the kind is the call's shape, the id is this request's. */
const keyKind = (key: string) => key.replace(/:.*$/, ":…");

function bindings(record: (call: string) => void, admin: Record<string, unknown>) {
  // Named, so a route that asks another limiter than its floor does is told apart.
  const rateLimiter = (name: string) => ({
    limit: async () => {
      record(`rate limiter ${name} limit()`);
      return { success: true };
    },
  });
  const statement = (sql: string, where: string) => {
    const result = (method: string) => {
      record(`D1 ${where}${method}: ${sql}`);
      return { results: rowsFor(sql, admin), success: true, meta: {} };
    };
    const bound = {
      sql,
      raw: async () => result("raw").results.map((row) => Object.values(row)),
      all: async () => result("all"),
      run: async () => result("run"),
      first: async () => result("first").results[0] ?? null,
    };
    return { ...bound, bind: () => bound };
  };
  const database = (where: string) => ({
    prepare: (sql: string) => statement(sql, where),
    batch: async (statements: { sql: string }[]) => {
      record(`D1 ${where}batch of ${statements.length}:\n${statements.map((each) => `      ${each.sql}`).join("\n")}`);
      return statements.map((each) => ({ results: rowsFor(each.sql, admin), success: true, meta: {} }));
    },
    withSession: (constraint: string) => database(`session(${constraint}) `),
  });
  return {
    DB: database(""),
    REVOCATIONS: {
      get: async (keys: string | string[]) => {
        record(`KV get ${[keys].flat().map(keyKind).join(", ")}`);
        return Array.isArray(keys) ? new Map(keys.map((key) => [key, null])) : null;
      },
      put: async (key: string) => record(`KV put ${keyKind(key)}`),
    },
    LOGIN_RATE_LIMITER: rateLimiter("LOGIN_RATE_LIMITER"),
    LOGIN_SITE_RATE_LIMITER: rateLimiter("LOGIN_SITE_RATE_LIMITER"),
    SESSION_RATE_LIMITER: rateLimiter("SESSION_RATE_LIMITER"),
    ASSETS: { fetch: async () => new Response(null, { status: 404 }) },
  };
}

/** Counts WebCrypto's work (signatures, verifications, derivations, key imports) while a traced request runs. */
function countCrypto(record: (call: string) => void): () => void {
  const subtle = Object.getPrototypeOf(crypto.subtle) as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  for (const method of ["sign", "verify", "deriveBits", "deriveKey", "digest", "encrypt", "decrypt", "importKey"]) {
    const original = subtle[method] as (...args: unknown[]) => Promise<unknown>;
    originals.set(method, original);
    subtle[method] = function (this: SubtleCrypto, ...args: unknown[]) {
      const algorithm = args[method === "importKey" ? 2 : 0];
      record(`crypto ${method} ${typeof algorithm === "string" ? algorithm : String((algorithm as { name?: string }).name)}`);
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [method, original] of originals) subtle[method] = original;
  };
}
