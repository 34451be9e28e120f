import { ApiError } from "../errors/api-error.ts";
import { parsePythonJson } from "./python-json/parse.ts";
import type { PyValue } from "./python-json/value.ts";
import { validationError } from "./validation-error.ts";

/** FastAPI treats `application/json` and `application/<anything>+json` as JSON, whatever the case or parameters. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lenientUtf8 = new TextDecoder("utf-8");

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType.split(";")[0]?.trim() ?? "");
}

/**
 * The body as FastAPI hands it to the model, or the error FastAPI answers
 * while reading it, before any dependency (authentication included) runs:
 * - malformed JSON: `json_invalid` with Python's message and code-point offset;
 * - JSON Python refuses otherwise (nesting, huge integers, bad UTF-8): 400.
 * What the model then makes of the value (`bodyObjectError`) comes after the
 * dependencies: no body or JSON `null` is `undefined`, a body that is not JSON
 * by its content type is its raw text.
 */
export function decodeFastApiBody(bytes: Uint8Array, contentType: string | undefined): PyValue | undefined {
  if (bytes.byteLength === 0) return undefined;
  if (!isJsonContentType(contentType)) return lenientUtf8.decode(bytes);

  let text: string;
  try {
    // Starlette hands json.loads the bytes, which skips a UTF-8 BOM and fails on invalid UTF-8.
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError("body_unparseable");
  }
  const parsed = parsePythonJson(text);
  if (!parsed.ok) {
    // Python fails these with RecursionError or ValueError, not JSONDecodeError: FastAPI's generic 400.
    if (parsed.error !== "decode") throw new ApiError("body_unparseable");
    throw validationError([
      {
        type: "json_invalid",
        loc: ["body", parsed.position],
        msg: "JSON decode error",
        input: new Map(),
        ctx: [["error", parsed.message]],
      },
    ]);
  }
  return parsed.value ?? undefined;
}

/** The model's first check, that there is a body and it is an object: the error it fails with, or null. */
export function bodyObjectError(body: PyValue | undefined): ApiError | null {
  if (body === undefined) return validationError([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
  if (body instanceof Map) return null;
  return validationError([
    {
      type: "model_attributes_type",
      loc: ["body"],
      msg: "Input should be a valid dictionary or object to extract fields from",
      input: body,
    },
  ]);
}
