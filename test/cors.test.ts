import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { BASE_URL, call, PREFIX } from "./support/worker.ts";

const PANEL = "https://admin.scaikey.example";
const withOrigins = { ...env, ALLOWED_ORIGINS: `${PANEL}, https://staging-admin.scaikey.example` };

async function send(path: string, init: RequestInit, bindings: Env = withOrigins): Promise<Response> {
  return await worker.fetch(new Request(BASE_URL + path, init), bindings, createExecutionContext());
}

describe("CORS from ALLOWED_ORIGINS", () => {
  it("answers a preflight from an allowed origin", async () => {
    const response = await send(`${PREFIX}/login`, {
      method: "OPTIONS",
      headers: { origin: PANEL, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PANEL);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE");
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(response.headers.get("vary")).toBe("Origin");
  });

  it("lets the panel end a session: DELETE passes the preflight", async () => {
    const response = await send(`${PREFIX}/sessions/some-id`, {
      method: "OPTIONS",
      headers: { origin: PANEL, "access-control-request-method": "DELETE", "access-control-request-headers": "authorization" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")?.split(", ")).toContain("DELETE");
  });

  it("gives another origin nothing: its preflight is FastAPI's 405", async () => {
    const response = await send(`${PREFIX}/login`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("marks actual responses for allowed origins, never with a wildcard", async () => {
    const allowed = await send(`${PREFIX}/me`, { headers: { origin: PANEL } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(PANEL);
    expect(allowed.headers.get("vary")).toContain("Origin");
    const other = await send(`${PREFIX}/me`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(other.headers.get("vary")).toContain("Origin");
  });

  it("allows nothing when ALLOWED_ORIGINS is empty", async () => {
    const response = await send(`${PREFIX}/login`, { method: "OPTIONS", headers: { origin: PANEL, "access-control-request-method": "POST" } }, env);
    expect(response.status).toBe(405);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("security headers", () => {
  it("sends nosniff on every response", async () => {
    for (const response of [await call("/health"), await call(`${PREFIX}/me`), await call("/nope")]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});

describe("CORS details", () => {
  it("lets the panel read Retry-After", async () => {
    const response = await send(`${PREFIX}/me`, { headers: { origin: PANEL } });
    expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After");
  });

  it("refuses an ALLOWED_ORIGINS entry that is not an origin, naming the variable", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const response = await send(`${PREFIX}/me`, { headers: { origin: PANEL } }, { ...env, ALLOWED_ORIGINS: "https://admin.example.com/" });
      expect(response.status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toContain("ALLOWED_ORIGINS");
  });

  it("sends nosniff on a preflight too", async () => {
    const response = await send(`${PREFIX}/login`, { method: "OPTIONS", headers: { origin: PANEL, "access-control-request-method": "POST" } });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
