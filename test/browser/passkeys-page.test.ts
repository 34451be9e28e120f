import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, launchChromium, startDevServer } from "./dev-server.ts";

/**
 * /docs/passkeys in chromium with a CDP virtual authenticator: a platform
 * authenticator (built in, like Touch ID or Windows Hello) that keeps
 * discoverable credentials and verifies its user. The steps run in order on
 * one page, as one admin would take them. Every sign-in call (login, passkey
 * options, passkey verify) counts toward the per-IP limit of wrangler.toml
 * (10 a minute): this file makes 9.
 */
let server: DevServer;
let browser: Browser | undefined;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
/** Requests that left this origin, and Content-Security-Policy violations: there must be none. */
const foreign: string[] = [];
const violations: string[] = [];

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium();
  page = await browser.newPage();
  cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
  // `localhost`, not 127.0.0.1: the local RP id is `localhost`, and npm run dev allows this origin, port included.
  const origin = `http://localhost:${server.port}`;
  page.on("request", (request) => {
    if (!request.url().startsWith(`${origin}/`)) foreign.push(request.url());
  });
  await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportViolation(text: string): void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(`${origin}/docs/passkeys`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits for the page's status line to say `text` (an action says "Working…" until it ends), shown as an error or not. */
async function statusIs(text: string | RegExp, { error = false } = {}) {
  const status = page.locator("#status");
  const shown = expect.poll(() => status.textContent(), { timeout: 30_000 });
  await (typeof text === "string" ? shown.toBe(text) : shown.toMatch(text));
  expect(await status.evaluate((element) => element.classList.contains("error"))).toBe(error);
}

async function signInWithPassword() {
  await page.getByLabel("Email").fill(server.email);
  await page.getByLabel("Password").fill(server.password);
  await page.getByRole("button", { name: "Sign in with password" }).click();
  await statusIs("Signed in");
}

async function register(name: string) {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Register a passkey" }).click();
  await statusIs(`Registered "${name}"`);
}

async function signOut() {
  await page.getByRole("button", { name: "Sign out" }).click();
  await statusIs("Signed out");
}

const passkeyItems = () => page.locator("#passkeys li");

describe("/docs/passkeys in headless chromium with a virtual authenticator", () => {
  it("signs in with the printed admin's password and registers a passkey", async () => {
    await signInWithPassword();
    expect(await page.locator("#amr").textContent()).toBe("pwd");
    await register("Test laptop");
    expect(await passkeyItems().count()).toBe(1);
    expect(await passkeyItems().locator("input").inputValue()).toBe("Test laptop");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toMatchObject([{ isResidentCredential: true, rpId: "localhost" }]);
  });

  it("signs out, then signs in with the passkey alone: no email, and the token says pop", async () => {
    await signOut();
    expect(await page.locator("#signed-out").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await statusIs("Signed in");
    expect(await page.locator("#who").textContent()).toBe(server.email);
    expect(await page.locator("#amr").textContent()).toBe("pop + mfa");
    expect(await passkeyItems().locator("span").textContent()).not.toContain("last used never");
  });

  it("renames and removes the passkey, which ends the session it signed in", async () => {
    await passkeyItems().locator("input").fill("Renamed laptop");
    await passkeyItems().getByRole("button", { name: "Rename" }).click();
    await statusIs('Renamed to "Renamed laptop"');
    expect(await passkeyItems().locator("input").inputValue()).toBe("Renamed laptop");
    await passkeyItems().getByRole("button", { name: "Remove" }).click();
    await statusIs('Removed "Renamed laptop", which had signed this session in: sign in again');
    expect(await page.locator("#signed-out").isVisible()).toBe(true);
    // As its owner would delete it from the device too: the refusals below are then about what they change, not about a removed passkey.
    await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
  });

  it("answers a step-up 401 by asking for a sign-in, then finishes the registration it interrupted", async () => {
    // The worker's own step-up answer needs an old sign-in; this page's sign-in is seconds old, so the
    // first options call is answered as the worker answers an old one (contract §3), once.
    await signInWithPassword();
    expect(await passkeyItems().count()).toBe(0);
    let stepUps = 0;
    await page.route("**/passkeys/register/options", async (route) => {
      if (stepUps++ > 0) return route.continue();
      await route.fulfill({
        status: 401,
        contentType: "application/json",
        headers: {
          "www-authenticate": 'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=600',
        },
        body: '{"detail":"Recent authentication required"}',
      });
    });
    await page.getByLabel("Name", { exact: true }).fill("After step-up");
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await statusIs("This needs a recent sign-in: sign in again to continue.", { error: true });
    expect(await page.locator("#signed-out").isVisible()).toBe(true);
    await page.getByLabel("Email").fill(server.email);
    await page.getByLabel("Password").fill(server.password);
    await page.getByRole("button", { name: "Sign in with password" }).click();
    await statusIs('Registered "After step-up"');
    expect(stepUps).toBe(2);
    await page.unroute("**/passkeys/register/options");
  });

  it("refuses a bogus signature, and the page says so", async () => {
    await signOut();
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: true });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await statusIs("Invalid passkey", { error: true });
    expect(await page.locator("#signed-in").isVisible()).toBe(false);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBogusSignature: false });
  });

  it("refuses an assertion whose user was not verified (UV flag clear), and the page says so", async () => {
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBadUV: true });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await statusIs("Invalid passkey", { error: true });
    expect(await page.locator("#signed-in").isVisible()).toBe(false);
    await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, isBadUV: false });
  });

  it("an authenticator that cannot verify its user signs nobody in, and the page says so", async () => {
    await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: false });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    // The browser's own refusal: the authenticator cannot give the verification the options require, so no assertion is sent.
    await statusIs(/NotAllowedError|not allowed/i, { error: true });
    expect(await page.locator("#signed-in").isVisible()).toBe(false);
  });

  it("loaded and called nothing outside this origin, and broke no rule of its Content-Security-Policy", () => {
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
  });
});
