import { describe, expect, it } from "vitest";
import cases from "./fixtures/fastapi-wire-cases.json";
import { call } from "./support/worker.ts";

interface WireCase {
  name: string;
  request: { method: string; path: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: string };
}

/** Every request FastAPI was recorded answering, answered with the same status, headers and bytes. */
describe("FastAPI wire cases", () => {
  it.each((cases.cases as unknown as WireCase[]).map((wireCase) => [wireCase.name, wireCase] as const))("%s", async (_name, wireCase) => {
    const { request, response: expected } = wireCase;
    const response = await call(request.path, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    expect(response.status).toBe(expected.status);
    for (const [name, value] of Object.entries(expected.headers)) expect(response.headers.get(name)).toBe(value);
    expect(await response.text()).toBe(expected.body);
  });
});
