import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { BASE_URL, call, PREFIX, postJson } from "./support/worker.ts";

const TOO_LARGE = '{"detail":"Request body too large"}';

describe("request bodies", () => {
  it("refuses a declared length over 64 KiB with 413", async () => {
    const response = await call(`${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(64 * 1024 + 1) },
      body: "x".repeat(64 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe(TOO_LARGE);
  });

  it("stops reading a streamed body once it passes 64 KiB", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new Uint8Array(16 * 1024).fill(32));
      },
    });
    const response = await call(`${PREFIX}/refresh`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe(TOO_LARGE);
    expect(pulled).toBeLessThan(20);
  });

  it("answers a body cut off by a client that went away as the client's fault: 400, one info line, no error", async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    const error = vi.spyOn(console, "error").mockImplementation((line: string) => lines.push(line));
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(new TextEncoder().encode('{"email":"a@example.com","pass'));
        else controller.error(new Error("Network connection lost."));
      },
    });
    // Straight into the worker's handler: the stream fails in its hands, as a dropped connection does.
    const request = new Request(`${BASE_URL}${PREFIX}/login`, { method: "POST", headers: { "content-type": "application/json" }, body });
    try {
      const response = await worker.fetch(request, env, createExecutionContext());
      expect([response.status, await response.text()]).toEqual([400, '{"detail":"There was an error parsing the body"}']);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: "info", status: 400, outcome: "body_incomplete" })]);
  });

  it("accepts exactly 64 KiB", async () => {
    const padding = " ".repeat(64 * 1024 - '{"refresh_token":"abc"}'.length);
    const response = await call(`${PREFIX}/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"refresh_token":"abc"}${padding}`,
    });
    expect(response.status).toBe(401);
  });

  it.each([
    ["application/vnd.scaikey+json", 401],
    ["APPLICATION/JSON", 401],
    ["text/plain", 422],
    ["multipart/form-data; boundary=x", 422],
  ])("decides JSON by content type %s", async (contentType, status) => {
    const response = await call(`${PREFIX}/refresh`, { method: "POST", headers: { "content-type": contentType }, body: '{"refresh_token":"abc"}' });
    expect(response.status).toBe(status);
  });

  it("echoes inputs the way Python's json.dumps writes them", async () => {
    const response = await call(`${PREFIX}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": 1e16, "password": {"b": 1, "10": 2.50, "big": 123456789012345678901234567890}}',
    });
    expect(await response.text()).toBe(
      '{"detail":[{"type":"string_type","loc":["body","email"],"msg":"Input should be a valid string","input":1e+16},' +
        '{"type":"string_type","loc":["body","password"],"msg":"Input should be a valid string","input":{"b":1,"10":2.5,"big":123456789012345678901234567890}}]}',
    );
  });

  it("answers JSON null as a missing body", async () => {
    const response = await call(`${PREFIX}/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "null" });
    expect(await response.text()).toBe('{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}');
  });

  it("ignores unknown fields", async () => {
    const response = await postJson(`${PREFIX}/login`, { email: "ghost@example.com", password: "x", remember_me: true });
    expect(response.status).toBe(401);
  });
});

describe("routing", () => {
  it.each([
    ["HEAD", "/me", "GET"],
    ["OPTIONS", "/login", "POST"],
    ["PUT", "/logout", "POST"],
    ["DELETE", "/refresh", "POST"],
  ])("answers %s on %s with 405 and Allow: %s", async (method, path, allow) => {
    const response = await call(`${PREFIX}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
  });

  it.each(["/openapi.json", "/docs"])("answers HEAD on %s like Starlette's plain routes, which FastAPI's own are", async (path) => {
    const head = await call(path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("redirects a trailing slash like Starlette", async () => {
    const response = await call(`${PREFIX}/me/`, { redirect: "manual" });
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${BASE_URL}${PREFIX}/me`);
  });

  it("answers unknown paths with FastAPI's 404", async () => {
    const response = await call("/nope");
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('{"detail":"Not Found"}');
  });
});

describe("failures", () => {
  it("answers 503 without internals when D1 fails", async () => {
    const broken = {
      ...env,
      DB: {
        prepare: () => {
          throw new Error("D1_ERROR: internal detail");
        },
        batch: () => Promise.reject(new Error("D1_ERROR: internal detail")),
        withSession: () => broken.DB,
      } as unknown as D1Database,
    };
    const silenced = console.error;
    console.error = () => {};
    try {
      const request = new Request(`${BASE_URL}${PREFIX}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email":"a@example.com","password":"x"}',
      });
      const response = await worker.fetch(request, broken, createExecutionContext());
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('{"detail":"Service Unavailable"}');
    } finally {
      console.error = silenced;
    }
  });
});

describe("inputs JSON cannot echo", () => {
  it.each([
    ['{"email": "a@example.com", "password": NaN}', '"input":null'],
    ['{"email": "a@example.com", "password": -Infinity}', '"input":null'],
    ['{"email": "a@example.com", "password": 1e400}', '"input":null'],
    ['{"email": "\\ud800", "password": "x"}', '"input":"\ufffd"'],
  ])("answers 422, not FastAPI's 500, for %s", async (body, echoed) => {
    const response = await call(`${PREFIX}/login`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain(echoed);
  });
});

describe("routing beyond the auth prefix", () => {
  it.each([
    ["/health", "GET"],
    ["/openapi.json", "GET, HEAD"],
    ["/.well-known/jwks.json", "GET"],
    ["/docs", "GET, HEAD"],
  ])("answers POST on %s with 405 and Allow: %s, and redirects its trailing slash", async (path, allow) => {
    const post = await call(path, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe(allow);
    expect(await post.text()).toBe('{"detail":"Method Not Allowed"}');
    const slash = await call(`${path}/`, { redirect: "manual" });
    expect(slash.status).toBe(307);
  });
});
