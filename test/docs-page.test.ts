import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { BASE_URL, call } from "./support/worker.ts";

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

async function withDocs(path: string, docsEnabled: string | undefined): Promise<Response> {
  const bindings: Partial<Env> = { ...env, DOCS_ENABLED: docsEnabled };
  if (docsEnabled === undefined) delete bindings.DOCS_ENABLED;
  return worker.fetch(new Request(BASE_URL + path), bindings as Env, createExecutionContext());
}

describe("GET /docs", () => {
  it("serves Swagger UI from this origin's static assets, under a strict CSP", async () => {
    const response = await call("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    // Every script and stylesheet is a file of this origin: nothing inline, nothing from a CDN.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag)).toEqual(['<script src="/docs/swagger-ui-bundle.js">', '<script src="/docs/docs.js">']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|https?:\/\//);
  });

  it.each([
    ["/docs/swagger-ui-bundle.js", /javascript/],
    ["/docs/docs.js", /javascript/],
    ["/docs/swagger-ui.css", /^text\/css/],
  ])("serves %s with the same policy", async (path, contentType) => {
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(contentType);
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    await response.body?.cancel();
  });

  it("answers a missing file, a trailing slash and another method as FastAPI does", async () => {
    const missing = await call("/docs/nothing-here.js");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('{"detail":"Not Found"}');
    const slash = await call("/docs/", { redirect: "manual" });
    expect(slash.status).toBe(307);
    expect(slash.headers.get("location")).toBe(`${BASE_URL}/docs`);
    const post = await call("/docs", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("serves an encoded spelling of a docs path as the asset server would, and nothing outside the folder", async () => {
    const encoded = await call("/%64ocs/swagger-ui.css");
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get("content-security-policy")).toBe(CSP);
    await encoded.body?.cancel();
    for (const path of ["/docs/%252e%252e/openapi.json", "/docs/..%2fopenapi.json", "//docs/index.html"]) {
      const response = await call(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toBe('{"detail":"Not Found"}');
    }
  });

  it("revalidates with the asset's ETag", async () => {
    const first = await call("/docs/swagger-ui.css");
    await first.body?.cancel();
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    const second = await call("/docs/swagger-ui.css", { headers: { "if-none-match": etag ?? "" } });
    expect(second.status).toBe(304);
  });
});

describe("GET /docs/passkeys", () => {
  it("serves the passkeys reference page from this origin's static assets, under the same CSP", async () => {
    const response = await call("/docs/passkeys");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    const html = await response.text();
    expect([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag)).toEqual(['<script type="module" src="/docs/passkeys.js">']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|https?:\/\//);
  });

  it("serves its script with @simplewebauthn/browser bundled in: nothing is fetched from elsewhere", async () => {
    const response = await call("/docs/passkeys.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    const script = await response.text();
    expect(script).toContain("function startRegistration(");
    expect(script).toContain("function startAuthentication(");
    expect(script).not.toMatch(/^\s*import\b|\bimport\(/m);
  });

  it("answers a trailing slash and another method as FastAPI does", async () => {
    const slash = await call("/docs/passkeys/", { redirect: "manual" });
    expect(slash.status).toBe(307);
    expect(slash.headers.get("location")).toBe(`${BASE_URL}/docs/passkeys`);
    const post = await call("/docs/passkeys", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("DOCS_ENABLED", () => {
  it.each([["false"], [undefined]])("%s: the page and its files do not exist; /openapi.json still does", async (value) => {
    for (const path of ["/docs", "/docs/swagger-ui-bundle.js", "/docs/passkeys", "/docs/passkeys.js"]) {
      const response = await withDocs(path, value);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('{"detail":"Not Found"}');
    }
    expect((await withDocs("/openapi.json", value)).status).toBe(200);
  });

  it("leaves no trace of the page: no 405, no redirect, for any spelling of the path", async () => {
    const bindings = { ...env, DOCS_ENABLED: "false" };
    for (const [path, method] of [
      ["/docs", "POST"],
      ["/docs", "HEAD"],
      ["/docs/", "GET"],
      ["/%64ocs", "GET"],
      ["/%64ocs/index.html", "GET"],
      ["/docs/passkeys", "POST"],
      ["/docs/passkeys/", "GET"],
    ] as const) {
      const response = await worker.fetch(new Request(BASE_URL + path, { method, redirect: "manual" }), bindings, createExecutionContext());
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  });

  it("refuses a value other than true or false, naming the variable", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect((await withDocs("/docs", "yes")).status).toBe(500);
      expect(errors.mock.calls.flat().join("\n")).toContain('DOCS_ENABLED must be \\"true\\" or \\"false\\"');
    } finally {
      errors.mockRestore();
    }
  });
});
