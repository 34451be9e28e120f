import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, PREFIX } from "./support/worker.ts";

const ROUTES = [
  ["POST", "/login"],
  ["POST", "/refresh"],
  ["POST", "/logout"],
  ["GET", "/me"],
] as const;

const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
  ),
  fc.string({ maxLength: 40 }),
);

const jsonish = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ email: value, password: value, refresh_token: value })),
  fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), password: fc.oneof(fc.string(), fc.integer()) }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "{", "[", '{"email":', "NaN", '{"password": NaN}', '{"a": 1e400}', "\ufeff{}", "[".repeat(2000), `{"n": ${"9".repeat(5000)}}`),
);

const authorization = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  fc.string({ maxLength: 300 }).map((token) => `Bearer ${token}`),
  fc.constantFrom("Bearer", "Bearer ", "bearer a.b.c", "Basic Zm9vOmJhcg==", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  body: fc.option(jsonish, { nil: undefined }),
  contentType,
  authorization,
});

/** Everything the worker stores, so a test can tell that a rejected request stored nothing. */
async function storedState(): Promise<string> {
  const counts = await env.DB.batch(
    ["sessions", "login_throttle", "audit_events", "admins"].map((table) => env.DB.prepare(`SELECT count(*) AS n FROM ${table}`)),
  );
  const kv = await env.REVOCATIONS.list();
  return JSON.stringify([counts.map((result) => result.results), kv.keys.length]);
}

function isFastApiError(body: unknown): boolean {
  if (typeof body !== "object" || body === null || !("detail" in body)) return false;
  const { detail } = body as { detail: unknown };
  if (typeof detail === "string") return true;
  return (
    Array.isArray(detail) &&
    detail.length > 0 &&
    detail.every((item) => typeof item === "object" && item !== null && ["type", "loc", "msg", "input"].every((key) => key in item))
  );
}

describe("any request to any route", () => {
  it("never answers 5xx, always answers a FastAPI-shaped JSON error, and stores nothing when it rejects", async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ route: [method, path], body, contentType: type, authorization: auth }) => {
        const headers = new Headers();
        if (type !== undefined) headers.set("content-type", type.replace(/[\r\n]/g, ""));
        if (auth !== undefined) headers.set("authorization", auth.replace(/[\r\n]/g, "").trim());
        const before = await storedState();
        const response = await call(`${PREFIX}${path}`, { method, headers, body: method === "GET" ? undefined : body });
        const text = await response.text();

        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get("content-type")).toBe("application/json");
          expect(isFastApiError(JSON.parse(text))).toBe(true);
          // A well-formed login with wrong credentials is an attempt, and is counted; nothing else may write.
          if (!(path === "/login" && response.status === 401)) expect(await storedState()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
