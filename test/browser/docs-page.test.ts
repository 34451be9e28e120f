import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

interface DevServer {
  url: string;
  email: string;
  password: string;
  process: ChildProcess;
}

const state = mkdtempSync(join(tmpdir(), "docs-browser-"));
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDevServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  server?.process.kill("SIGTERM");
  rmSync(state, { recursive: true, force: true });
});

/** `npm run dev` as a new user runs it, on a free port and a throwaway local database; the login it prints is the one used. */
async function startDevServer(): Promise<DevServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/dev.ts", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<DevServer>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const email = /email:\s+(\S+)/.exec(output)?.[1];
      const password = /password:\s+(\S+)/.exec(output)?.[1];
      if (email && password && /Ready on http/.test(output)) resolve({ url: `http://127.0.0.1:${port}`, email, password, process: child });
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
  });
  return ready;
}

interface Visit {
  page: Page;
  /** Content-Security-Policy violations the page reported. */
  violations: string[];
  /** Requests that left this origin. */
  foreign: string[];
  consoleErrors: string[];
}

async function openDocs(): Promise<Visit> {
  const page = await browser.newPage();
  const visit: Visit = { page, violations: [], foreign: [], consoleErrors: [] };
  page.on("request", (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith("data:")) visit.foreign.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") visit.consoleErrors.push(message.text());
  });
  await page.exposeFunction("reportViolation", (text: string) => visit.violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportViolation(text: string): void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(`${server.url}/docs`);
  await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
  return visit;
}

describe("/docs in headless chromium, from wrangler dev", () => {
  it("renders the four routes from /openapi.json, all from this origin, without a CSP violation", async () => {
    const visit = await openDocs();
    const operations = await visit.page
      .locator(".opblock-summary")
      .evaluateAll((nodes) =>
        nodes.map(
          (node) => `${node.querySelector(".opblock-summary-method")?.textContent} ${node.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`,
        ),
      );
    expect(operations.sort()).toEqual([
      "GET /api/v1/admin/auth/me",
      "POST /api/v1/admin/auth/login",
      "POST /api/v1/admin/auth/logout",
      "POST /api/v1/admin/auth/refresh",
    ]);
    expect(await visit.page.title()).toBe("ScaiKey Admin Auth - Swagger UI");
    expect(visit.violations).toEqual([]);
    expect(visit.foreign).toEqual([]);
    expect(visit.consoleErrors).toEqual([]);
    await visit.page.close();
  });

  it("tries the login route with the printed admin and shows the tokens", async () => {
    const visit = await openDocs();
    const login = visit.page.locator(".opblock-post", {
      has: visit.page.locator('[data-path="/api/v1/admin/auth/login"]'),
    });
    await login.locator(".opblock-summary").click();
    await login.getByRole("button", { name: "Try it out" }).click();
    await login.locator("textarea.body-param__text").fill(JSON.stringify({ email: server.email, password: server.password }));
    await login.getByRole("button", { name: "Execute" }).click();
    const status = login.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.textContent())?.trim()).toBe("200");
    const body = await login.locator(".live-responses-table .response-col_description pre").first().textContent();
    expect(JSON.parse(body ?? "{}")).toMatchObject({ token_type: "bearer", user: { email: server.email } });
    expect(visit.violations).toEqual([]);
    await visit.page.close();
  });
});
