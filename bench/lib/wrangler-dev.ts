import { readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { runNode, type Started, startNode, stop, tail } from "./processes.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** A wrangler that is not answering within this long fails the bench, with its log. */
const STARTUP_TIMEOUT_MS = 60_000;

export interface DevServerOptions {
  /** Shown in messages and in the table. */
  name: string;
  /** wrangler config, relative to the repository root. */
  config: string;
  /** The worker prebuilt by `buildWorker`, served as is (`--no-bundle`). */
  script: string;
  persistTo: string;
  logPath: string;
  /** A path answering 2xx once the worker is really up (wrangler's "Ready" comes before the first isolate). */
  readyPath: string;
  /** Extra wrangler flags, e.g. `--env-file`. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface DevServer {
  name: string;
  url: string;
  port: number;
  process: Started;
  logPath: string;
  stop(): Promise<void>;
}

/**
 * Bundles a worker once, as `wrangler deploy` would, into `outDir`. The bench
 * serves this snapshot with `--no-bundle` instead of letting wrangler dev
 * bundle and watch the sources: with other people editing src/ (or a
 * tsconfig.json) while the bench runs, wrangler dev would rebuild and restart
 * the worker mid-run, failing requests and measuring a cold isolate. The
 * snapshot also pins what is measured to the tree as it was at start.
 */
export async function buildWorker(config: string, outDir: string, logPath: string, env: NodeJS.ProcessEnv): Promise<string> {
  await runNode([WRANGLER, "deploy", "--dry-run", "--outdir", outDir, "--config", config], { cwd: ROOT, logPath, env, what: `bundling ${config}` });
  // Named after the entry point (src/index.ts → index.js, worker.ts → worker.js).
  const [entry, ...more] = readdirSync(outDir).filter((name) => name.endsWith(".js"));
  if (!entry || more.length > 0) throw new Error(`bundling ${config} should give one .js file in ${outDir}, gave ${readdirSync(outDir).join(", ")}`);
  return join(outDir, entry);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  // Explicit ports, each checked free: wrangler's defaults (8787, inspector 9229) would collide
  // between the three servers and with a developer's own `npm run dev`.
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    WRANGLER,
    "dev",
    options.script,
    "--no-bundle",
    "--config",
    options.config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
    ...(options.extraArgs ?? []),
  ];
  const started = startNode(args, { cwd: ROOT, logPath: options.logPath, env: options.env });
  const url = `http://127.0.0.1:${port}`;
  const server: DevServer = { name: options.name, url, port, process: started, logPath: options.logPath, stop: () => stop(started) };
  try {
    await waitUntilReady(server, options.readyPath);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitUntilReady(server: DevServer, readyPath: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exitCode: number | string | null = null;
  void server.process.exited.then((code) => {
    exitCode = code;
  });
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (exitCode !== null) {
      throw new Error(`wrangler dev for ${server.name} exited (${exitCode}) before it was ready; log ${server.logPath}:\n${tail(server.logPath)}`);
    }
    try {
      const response = await fetch(`${server.url}${readyPath}`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `wrangler dev for ${server.name} did not answer ${readyPath} within ${STARTUP_TIMEOUT_MS / 1000} s (last: ${lastProblem}); log ${server.logPath}:\n${tail(server.logPath)}`,
  );
}
