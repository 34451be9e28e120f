import type { PyValue } from "./value";

/**
 * `json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))`. Its UTF-8 encoding is
 * byte for byte what FastAPI's JSONResponse sends.
 *
 * Throws a RangeError where FastAPI answers 500: for NaN and ±Infinity (allow_nan=False raises ValueError) and
 * for strings holding a lone surrogate (Python's UTF-8 encoding of the response fails).
 * Recurses once per nesting level, which parsePythonJson's depth limit keeps shallow.
 */
export function dumpPythonJson(value: PyValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return dumpString(value);
  if (Array.isArray(value)) return `[${value.map(dumpPythonJson).join(",")}]`;
  if (value instanceof Map) {
    const members = Array.from(value, ([key, member]) => `${dumpString(key)}:${dumpPythonJson(member)}`);
    return `{${members.join(",")}}`;
  }
  if (value.kind === "int") return value.value.toString();
  return floatRepr(value.value);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: json.dumps escapes exactly these control characters.
const ESCAPED_CHARACTERS = /["\\\u0000-\u001f]/g;

const SHORT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '\\"'],
  ["\\", "\\\\"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
  ["\b", "\\b"],
  ["\f", "\\f"],
]);

function dumpString(text: string): string {
  if (!text.isWellFormed()) throw new RangeError("String contains a lone surrogate, which UTF-8 cannot encode");
  return `"${text.replace(ESCAPED_CHARACTERS, escapeCharacter)}"`;
}

function escapeCharacter(char: string): string {
  return SHORT_ESCAPES.get(char) ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Python's `float.__repr__`: the shortest digits that round-trip (which JS also produces), written in positional
 * notation with at least one fractional digit, or as `d.ddde±XX` when the decimal exponent is below -4 or at
 * least 16.
 */
function floatRepr(value: number): string {
  if (!Number.isFinite(value)) {
    const pythonRepr = Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    throw new RangeError(`Out of range float values are not JSON compliant: ${pythonRepr}`);
  }
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  const { digits, exponent } = shortestDigits(Math.abs(value));
  if (exponent < -4 || exponent >= 16) return sign + scientific(digits, exponent);
  return sign + positional(digits, exponent);
}

/** The significant digits of a positive finite number and the decimal exponent of the first one. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa = "", exponentPart] = String(value).split("e");
  const [whole = "", fraction = ""] = mantissa.split(".");
  const allDigits = whole + fraction;
  const leadingZeros = allDigits.length - allDigits.replace(/^0+/, "").length;
  return {
    digits: allDigits.slice(leadingZeros).replace(/0+$/, ""),
    exponent: Number(exponentPart ?? 0) + whole.length - 1 - leadingZeros,
  };
}

function scientific(digits: string, exponent: number): string {
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentSign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function positional(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  return `${whole}.${digits.slice(exponent + 1) || "0"}`;
}
