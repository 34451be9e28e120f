import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { freePort } from "../../scripts/lib/free-port.ts";

const ROOT = join(import.meta.dirname, "../..");

/** Debian's chromium, as `.ci/run` installs it; CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless, and quiet on the network: without the background-networking
 * flags chromium calls Google's services at start, which a closed CI network
 * refuses many times over.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface DevServer {
  port: number;
  url: string;
  email: string;
  password: string;
  /** Stops wrangler and its workerd, and waits (briefly) until they are gone, then removes the local state. */
  stop(): Promise<void>;
}

/**
 * `npm run dev` as a new user runs it, on a free port and a throwaway local
 * database; the login it prints is the one used. Docs are switched on
 * explicitly, whatever a developer's .dev.vars says.
 */
export async function startDevServer(): Promise<DevServer> {
  const state = mkdtempSync(join(tmpdir(), "docs-browser-"));
  const port = await freePort();
  const args = ["scripts/dev.ts", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--var", "DOCS_ENABLED:true"];
  // Its own process group: wrangler starts workerd, and stopping the group stops them all.
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      const timeout = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timeout);
    }
    rmSync(state, { recursive: true, force: true });
  };
  let output = "";
  return new Promise<DevServer>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const email = /email:\s+(\S+)/.exec(output)?.[1];
      const password = /password:\s+(\S+)/.exec(output)?.[1];
      if (email && password && /Ready on http/.test(output)) resolve({ port, url: `http://127.0.0.1:${port}`, email, password, stop });
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
  });
}
