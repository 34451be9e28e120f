import { ApiError } from "../errors/api-error.ts";
import { parsePythonJson } from "./python-json/parse.ts";
import type { PyObject, PyValue } from "./python-json/value.ts";
import { validationError } from "./validation-error.ts";

/** FastAPI treats `application/json` and `application/<anything>+json` as JSON, whatever the case or parameters. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lenientUtf8 = new TextDecoder("utf-8");

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType.split(";")[0]?.trim() ?? "");
}

/**
 * Turns a request body into the object FastAPI would hand to the model, or
 * throws the error FastAPI would answer with:
 * - no body, or JSON `null`: `missing` at `["body"]`;
 * - a body that is not JSON by its content type: the raw text fails as a model;
 * - malformed JSON: `json_invalid` with Python's message and code-point offset;
 * - JSON that is not an object: `model_attributes_type` with the value echoed.
 */
export function decodeFastApiBody(bytes: Uint8Array, contentType: string | undefined): PyObject {
  if (bytes.byteLength === 0) throw missingBody();
  if (!isJsonContentType(contentType)) throw notAnObject(lenientUtf8.decode(bytes));

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
  if (parsed.value === null) throw missingBody();
  if (!(parsed.value instanceof Map)) throw notAnObject(parsed.value);
  return parsed.value;
}

function missingBody(): ApiError {
  return validationError([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
}

function notAnObject(input: PyValue): ApiError {
  return validationError([
    {
      type: "model_attributes_type",
      loc: ["body"],
      msg: "Input should be a valid dictionary or object to extract fields from",
      input,
    },
  ]);
}
