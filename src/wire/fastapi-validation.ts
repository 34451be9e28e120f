import { zValidator } from "@hono/zod-validator";
import type { Context, MiddlewareHandler } from "hono";
import type * as z from "zod/mini";
import type { $ZodIssue } from "zod/v4/core";
import { bodyObjectError, decodeFastApiBody } from "./fastapi-body.ts";
import { type PyObject, type PyValue, toPlainJson } from "./python-json/value.ts";
import { readBoundedBody } from "./read-body.ts";
import { type FastApiErrorItem, validationError } from "./validation-error.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The decoded body (undefined: none), kept in Python's shape so errors can echo inputs exactly. */
    requestBody: PyValue | undefined;
  }
}

/** How a schema's own checks (see `fastApiIssue`) tell the mapper what FastAPI would have said. */
export interface FastApiIssueParams {
  type: string;
  msg: string;
  ctx?: ReadonlyArray<readonly [string, string | number]>;
}

/**
 * Reads and decodes the body the way FastAPI does before any dependency runs
 * (a malformed one fails here), then hands an object to Hono's JSON validator
 * through the request's body cache, so `zValidator("json", …)` validates it
 * without reading the stream again.
 */
export const fastApiJsonBody: MiddlewareHandler = async (c, next) => {
  const body = decodeFastApiBody(await readBoundedBody(c.req.raw), c.req.header("content-type"));
  c.set("requestBody", body);
  if (body instanceof Map) c.req.bodyCache.json = Promise.resolve(toPlainJson(body));
  await next();
};

export interface FastApiValidatorOptions {
  /**
   * Runs before a body error is answered. FastAPI validates the body's
   * fields after the route's dependencies: a route behind a bearer token
   * answers 401 for a dead session before 422 for its body.
   */
  beforeBodyError?: (c: Context) => Promise<void>;
}

/**
 * `zValidator("json", schema)` answering like FastAPI: a missing or
 * non-object body, or one 422 listing every field's error in the model's
 * field order.
 */
export function fastApiJsonValidator<Schema extends z.ZodMiniObject>(schema: Schema, { beforeBodyError }: FastApiValidatorOptions = {}) {
  const fieldOrder = Object.keys(schema.shape);
  const position = (issue: $ZodIssue) => fieldOrder.indexOf(String(issue.path[0]));
  const validate = zValidator("json", schema, async (result, c) => {
    if (result.success) return;
    await beforeBodyError?.(c);
    const body = c.get("requestBody") as PyObject;
    const issues = [...result.error.issues].sort((a, b) => position(a) - position(b));
    throw validationError(issues.map((issue) => toErrorItem(issue, body)));
  });
  const validateObject: typeof validate = async (c, next) => {
    const error = bodyObjectError(c.get("requestBody"));
    if (error) {
      await beforeBodyError?.(c);
      throw error;
    }
    return validate(c, next);
  };
  return validateObject;
}

function toErrorItem(issue: $ZodIssue, body: PyObject): FastApiErrorItem {
  const loc = ["body", ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))];
  const field = String(issue.path[0]);
  const input = body.get(field);
  if (input === undefined) return { type: "missing", loc, msg: "Field required", input: body };
  if (issue.code === "custom" && issue.params) {
    const params = issue.params as unknown as FastApiIssueParams;
    const ctx = params.ctx?.map(([name, value]): readonly [string, PyValue] => [
      name,
      typeof value === "number" ? { kind: "int", value: BigInt(value) } : value,
    ]);
    return { type: params.type, loc, msg: params.msg, input, ...(ctx ? { ctx } : {}) };
  }
  if (issue.code === "invalid_type" && issue.expected === "string") {
    return { type: "string_type", loc, msg: "Input should be a valid string", input };
  }
  throw new Error(`No FastAPI error for zod issue ${issue.code} at ${loc.join(".")}`);
}

/**
 * A `Literal[...]` query parameter as FastAPI reads it: the last of repeated
 * values (Starlette's query dict keeps the last), decoded as Python's
 * `parse_qsl` does (`+` is a space, bad UTF-8 becomes U+FFFD), or the
 * default when absent; anything else is pydantic's `literal_error`.
 */
export function literalQueryParam<T extends string>(url: string, name: string, allowed: readonly T[], fallback: T): T {
  const value = new URL(url).searchParams.getAll(name).at(-1);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const quoted = allowed.map((option) => `'${option}'`);
  const expected = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : String(quoted[0]);
  throw validationError([{ type: "literal_error", loc: ["query", name], msg: `Input should be ${expected}`, input: value, ctx: [["expected", expected]] }]);
}
