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
}

const state = mkdtempSync(join(tmpdir(), "docs-browser-"));
let devProcess: ChildProcess | undefined;
let server: DevServer;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startDevServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await stopDevServer();
  rmSync(state, { recursive: true, force: true });
});

/**
 * `npm run dev` as a new user runs it, on a free port and a throwaway local
 * database; the login it prints is the one used. Docs are switched on
 * explicitly, whatever a developer's .dev.vars says.
 */
async function startDevServer(): Promise<DevServer> {
  const port = await freePort();
  const args = ["scripts/dev.ts", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--var", "DOCS_ENABLED:true"];
  // Its own process group: wrangler starts workerd, and stopping the group stops them all.
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  devProcess = child;
  let output = "";
  return new Promise<DevServer>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const email = /email:\s+(\S+)/.exec(output)?.[1];
      const password = /password:\s+(\S+)/.exec(output)?.[1];
      if (email && password && /Ready on http/.test(output)) resolve({ url: `http://127.0.0.1:${port}`, email, password });
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
  });
}

/** Stops wrangler and its workerd, and waits (briefly) until they are gone, so the state folder can go too. */
async function stopDevServer(): Promise<void> {
  const child = devProcess;
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  const timeout = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timeout);
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
  if (!browser) throw new Error("chromium did not start");
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
  it("renders every route from /openapi.json, all from this origin, without a CSP violation", async () => {
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
      "POST /api/v1/admin/auth/mfa/totp/confirm",
      "POST /api/v1/admin/auth/mfa/totp/disable",
      "POST /api/v1/admin/auth/mfa/totp/setup",
      "POST /api/v1/admin/auth/refresh",
    ]);
    expect(await visit.page.title()).toBe("ScaiKey Admin Auth - Swagger UI");
    expect(visit.violations).toEqual([]);
    expect(visit.foreign).toEqual([]);
    expect(visit.consoleErrors).toEqual([]);
    await visit.page.close();
  });

  it("tries the login route with the printed admin, then MFA setup with its token, and shows the answers", async () => {
    const visit = await openDocs();
    const { status, body } = await tryItOut(visit.page, "/api/v1/admin/auth/login", JSON.stringify({ email: server.email, password: server.password }));
    expect(status).toBe("200");
    const tokens = JSON.parse(body);
    expect(tokens).toMatchObject({ token_type: "bearer", user: { email: server.email, mfa_enabled: false } });

    await visit.page.locator(".auth-wrapper .authorize").click();
    await visit.page.locator(".auth-container input").fill(tokens.access_token);
    await visit.page.locator(".auth-btn-wrapper .authorize").click();
    await visit.page.locator(".auth-btn-wrapper .btn-done").click();
    const setup = await tryItOut(visit.page, "/api/v1/admin/auth/mfa/totp/setup");
    expect(setup.status).toBe("200");
    expect(JSON.parse(setup.body).otpauth_uri).toMatch(/^otpauth:\/\/totp\/.+%40.+\?secret=[A-Z2-7]{32}&issuer=/);
    expect(visit.violations).toEqual([]);
    await visit.page.close();
  });
});

/** Swagger UI's "Try it out" on one operation: the status and body it shows. */
async function tryItOut(page: Page, path: string, requestBody?: string): Promise<{ status: string; body: string }> {
  const operation = page.locator(".opblock-post", { has: page.locator(`[data-path="${path}"]`) });
  await operation.locator(".opblock-summary").click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  if (requestBody !== undefined) await operation.locator("textarea.body-param__text").fill(requestBody);
  await operation.getByRole("button", { name: "Execute" }).click();
  const status = operation.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30_000 });
  const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
  return { status: (await status.textContent())?.trim() ?? "", body: body ?? "{}" };
}
