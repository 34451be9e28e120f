import { ApiError } from "../errors/api-error.ts";
import { dumpPythonJson } from "./python-json/dump.ts";
import type { PyObject, PyValue } from "./python-json/value.ts";

export interface FastApiErrorItem {
  type: string;
  loc: ReadonlyArray<string | number>;
  msg: string;
  input: PyValue;
  ctx?: ReadonlyArray<readonly [string, PyValue]>;
}

/**
 * A 422 exactly as FastAPI writes it: `{"detail":[{type,loc,msg,input[,ctx]}]}`,
 * keys in that order, inputs echoed as Python's json.dumps would.
 */
export function validationError(items: readonly FastApiErrorItem[]): ApiError {
  const detail: PyValue[] = items.map((item) => {
    const entry: PyObject = new Map<string, PyValue>([
      ["type", item.type],
      ["loc", item.loc.map((part) => (typeof part === "number" ? { kind: "int", value: BigInt(part) } : part))],
      ["msg", item.msg],
      ["input", item.input],
    ]);
    if (item.ctx) entry.set("ctx", new Map(item.ctx));
    return entry;
  });
  return new ApiError("validation_failed", { body: dumpDetail(new Map([["detail", detail]])) });
}

/**
 * FastAPI answers 500 when an echoed input holds NaN, ±Infinity or a lone
 * surrogate (its JSON encoder refuses them). Bad input must never be a server
 * error, so those values are echoed as `null` / U+FFFD instead.
 */
function dumpDetail(body: PyObject): string {
  try {
    return dumpPythonJson(body);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return dumpPythonJson(representable(body));
  }
}

function representable(value: PyValue): PyValue {
  if (typeof value === "string") return value.toWellFormed();
  if (Array.isArray(value)) return value.map(representable);
  if (value instanceof Map) return new Map([...value].map(([key, member]) => [key.toWellFormed(), representable(member)]));
  if (value !== null && typeof value === "object" && value.kind === "float" && !Number.isFinite(value.value)) return null;
  return value;
}
