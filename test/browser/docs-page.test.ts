import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, launchChromium, startDevServer } from "./dev-server.ts";

let server: DevServer;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

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
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented).toContain("POST /api/v1/admin/auth/login");
    expect(documented).toContain("POST /api/v1/admin/auth/passkeys/login/verify");
    expect(operations.sort()).toEqual(documented.sort());
    expect(await visit.page.title()).toBe("ScaiKey Admin Auth - Swagger UI");
    expect(visit.violations).toEqual([]);
    expect(visit.foreign).toEqual([]);
    expect(visit.consoleErrors).toEqual([]);
    await visit.page.close();
  });

  it("tries the login route with the printed admin, then MFA setup with its token, and shows the answers", async () => {
    const visit = await openDocs();
    const tokens = await logInAndAuthorize(visit.page, server.password);
    expect(tokens).toMatchObject({ token_type: "bearer", user: { email: server.email, mfa_enabled: false } });
    const setup = await tryItOut(visit.page, "post", "/api/v1/admin/auth/mfa/totp/setup");
    expect(setup.status).toBe("200");
    expect(JSON.parse(setup.body).otpauth_uri).toMatch(/^otpauth:\/\/totp\/.+%40.+\?secret=[A-Z2-7]{32}&issuer=/);
    expect(visit.violations).toEqual([]);
    await visit.page.close();
  });

  it("tries every self-service route: sessions, ending one, signing out elsewhere, the password, refresh and logout", async () => {
    const visit = await openDocs();
    const { page } = visit;
    // Another device's login, then this page's own, whose token Swagger UI sends.
    const elsewhere = JSON.parse(
      (await tryItOut(page, "post", "/api/v1/admin/auth/login", { body: JSON.stringify({ email: server.email, password: server.password }) })).body,
    );
    await logInAndAuthorize(page, server.password);

    const me = await tryItOut(page, "get", "/api/v1/admin/auth/me");
    expect([me.status, JSON.parse(me.body).email]).toEqual(["200", server.email]);
    const listed = await tryItOut(page, "get", "/api/v1/admin/auth/sessions");
    expect(listed.status).toBe("200");
    const sessions = JSON.parse(listed.body) as { id: string; current: boolean }[];
    expect(sessions[0]?.current).toBe(true);
    const other = sessions.find((session) => !session.current);
    if (!other) throw new Error(`no other session listed: ${listed.body}`);

    const ended = await tryItOut(page, "delete", "/api/v1/admin/auth/sessions/{id}", { path: { id: other.id } });
    expect([ended.status, JSON.parse(ended.body)]).toEqual(["200", { message: "Session revoked" }]);
    const signedOut = await tryItOut(page, "post", "/api/v1/admin/auth/logout", { choose: { scope: "others" } });
    expect([signedOut.status, JSON.parse(signedOut.body)]).toEqual(["200", { message: "Successfully logged out" }]);
    const refusedRefresh = await tryItOut(page, "post", "/api/v1/admin/auth/refresh", { body: JSON.stringify({ refresh_token: elsewhere.refresh_token }) });
    expect(refusedRefresh.status).toBe("401");

    // A change ends this session too and answers a new one's tokens, which the page is then authorized with.
    const newPassword = `${server.password}-changed`;
    const changed = await tryItOut(page, "post", "/api/v1/admin/auth/password", {
      body: JSON.stringify({ current_password: server.password, new_password: newPassword }),
    });
    expect(changed.status).toBe("200");
    const changedTokens = JSON.parse(changed.body);
    expect(changedTokens).toMatchObject({ message: "Password changed", token_type: "bearer" });
    await authorize(page, changedTokens.access_token);
    const restored = await tryItOut(page, "post", "/api/v1/admin/auth/password", {
      body: JSON.stringify({ current_password: newPassword, new_password: server.password }),
    });
    expect(restored.status).toBe("200");
    const restoredTokens = JSON.parse(restored.body);
    await authorize(page, restoredTokens.access_token);

    const refreshed = await tryItOut(page, "post", "/api/v1/admin/auth/refresh", { body: JSON.stringify({ refresh_token: restoredTokens.refresh_token }) });
    expect(refreshed.status).toBe("200");
    const loggedOut = await tryItOut(page, "post", "/api/v1/admin/auth/logout", { choose: { scope: "local" } });
    expect(loggedOut.status).toBe("200");
    expect(visit.violations).toEqual([]);
    // The browser logs the refused refresh's 401; nothing else.
    expect(visit.consoleErrors).toEqual([expect.stringContaining("status of 401")]);
    await page.close();
  });
});

/** Logs in through Swagger UI's "Try it out" and hands the access token to its Authorize dialog. */
async function logInAndAuthorize(page: Page, password: string): Promise<{ access_token: string; refresh_token: string }> {
  const { status, body } = await tryItOut(page, "post", "/api/v1/admin/auth/login", { body: JSON.stringify({ email: server.email, password }) });
  expect(status).toBe("200");
  const tokens = JSON.parse(body);
  await authorize(page, tokens.access_token);
  return tokens;
}

/** Gives Swagger UI's Authorize dialog an access token, in place of the one it holds (Logout first), as a developer would. */
async function authorize(page: Page, accessToken: string): Promise<void> {
  await page.locator(".auth-wrapper .authorize").click();
  await page.locator(".auth-btn-wrapper .btn-done").waitFor();
  const logout = page.getByRole("button", { name: "Remove authorization" });
  if (await logout.isVisible()) await logout.click();
  await page.locator(".auth-container input").fill(accessToken);
  await page.locator(".auth-btn-wrapper .authorize").click();
  await page.locator(".auth-btn-wrapper .btn-done").click();
}

interface TryItOut {
  body?: string;
  /** Path parameters typed into their fields, by name. */
  path?: Record<string, string>;
  /** Query parameters with a list of values, chosen by name. */
  choose?: Record<string, string>;
}

/**
 * Swagger UI's "Try it out" on one operation: the status and body it shows.
 * An operation may be tried more than once.
 */
async function tryItOut(page: Page, method: "get" | "post" | "delete", path: string, input: TryItOut = {}): Promise<{ status: string; body: string }> {
  const operation = page.locator(`.opblock-${method}`, { has: page.locator(`[data-path="${path}"]`) });
  const summary = operation.locator(".opblock-summary");
  if (!(await operation.locator(".opblock-body").isVisible())) await summary.click();
  const tryButton = operation.getByRole("button", { name: "Try it out" });
  if (await tryButton.isVisible()) await tryButton.click();
  // The answer shown is the last one until cleared: clear it, so the one read below is this call's.
  const clear = operation.getByRole("button", { name: "Clear" });
  if (await clear.isVisible()) await clear.click();
  if (input.body !== undefined) await operation.locator("textarea.body-param__text").fill(input.body);
  for (const [name, value] of Object.entries(input.path ?? {})) await operation.locator(`tr[data-param-name="${name}"] input`).fill(value);
  for (const [name, value] of Object.entries(input.choose ?? {})) await operation.locator(`tr[data-param-name="${name}"] select`).selectOption(value);
  await operation.getByRole("button", { name: "Execute" }).click();
  const status = operation.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30_000 });
  const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
  return { status: (await status.textContent())?.trim() ?? "", body: body ?? "{}" };
}
