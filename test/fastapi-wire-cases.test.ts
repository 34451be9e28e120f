import { describe, expect, it } from "vitest";
import cases from "./fixtures/fastapi-wire-cases.json";
import { call, createAdmin, loginAs, PREFIX } from "./support/worker.ts";

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

interface AccountWireCase {
  name: string;
  method: string;
  /** Under the auth prefix. */
  path: string;
  body: string | null;
  status: number;
  response: string;
}

const literalScope = (input: string) =>
  `{"detail":[{"type":"literal_error","loc":["query","scope"],"msg":"Input should be 'local', 'others' or 'global'","input":"${input}","ctx":{"expected":"'local', 'others' or 'global'"}}]}`;

/**
 * The self-service routes' 422s (contract-account.md, produced by the real
 * pydantic), sent with a live session's bearer token: FastAPI validates the
 * body and the query after the bearer dependency.
 */
const ACCOUNT_CASES: AccountWireCase[] = [
  {
    name: "password, empty JSON object",
    method: "POST",
    path: "/password",
    body: "{}",
    status: 422,
    response:
      '{"detail":[{"type":"missing","loc":["body","current_password"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","new_password"],"msg":"Field required","input":{}}]}',
  },
  {
    name: "password, new password too short",
    method: "POST",
    path: "/password",
    body: '{"current_password":"x","new_password":"short"}',
    status: 422,
    response:
      '{"detail":[{"type":"string_too_short","loc":["body","new_password"],"msg":"String should have at least 12 characters","input":"short","ctx":{"min_length":12}}]}',
  },
  {
    name: "password, empty new password",
    method: "POST",
    path: "/password",
    body: '{"current_password":"x","new_password":""}',
    status: 422,
    response:
      '{"detail":[{"type":"string_too_short","loc":["body","new_password"],"msg":"String should have at least 12 characters","input":"","ctx":{"min_length":12}}]}',
  },
  {
    name: "password, wrong types in field order",
    method: "POST",
    path: "/password",
    body: '{"mfa_code":123456,"new_password":["a"],"current_password":null}',
    status: 422,
    response:
      '{"detail":[{"type":"string_type","loc":["body","current_password"],"msg":"Input should be a valid string","input":null},{"type":"string_type","loc":["body","new_password"],"msg":"Input should be a valid string","input":["a"]},{"type":"string_type","loc":["body","mfa_code"],"msg":"Input should be a valid string","input":123456}]}',
  },
  {
    name: "password, missing current password beside a short new one",
    method: "POST",
    path: "/password",
    body: '{"new_password":"é"}',
    status: 422,
    response:
      '{"detail":[{"type":"missing","loc":["body","current_password"],"msg":"Field required","input":{"new_password":"é"}},{"type":"string_too_short","loc":["body","new_password"],"msg":"String should have at least 12 characters","input":"é","ctx":{"min_length":12}}]}',
  },
  { name: "logout, unknown scope", method: "POST", path: "/logout?scope=all", body: null, status: 422, response: literalScope("all") },
  { name: "logout, empty scope", method: "POST", path: "/logout?scope=", body: null, status: 422, response: literalScope("") },
  { name: "logout, scope in capitals", method: "POST", path: "/logout?scope=Global", body: null, status: 422, response: literalScope("Global") },
];

describe("FastAPI wire cases, self-service routes", () => {
  it.each(ACCOUNT_CASES.map((wireCase) => [wireCase.name, wireCase] as const))("%s", async (_name, wireCase) => {
    const { access_token } = await loginAs(await createAdmin());
    const response = await call(PREFIX + wireCase.path, {
      method: wireCase.method,
      headers: { authorization: `Bearer ${access_token}`, ...(wireCase.body === null ? {} : { "content-type": "application/json" }) },
      body: wireCase.body,
    });
    expect([response.status, response.headers.get("content-type"), await response.text()]).toEqual([wireCase.status, "application/json", wireCase.response]);
  });
});
