import type { PyObject, PyValue } from "./value";

/**
 * The outcome of CPython 3.13's `json.loads` on an already decoded text.
 * - `decode`: a `json.JSONDecodeError`, with its bare `msg` and its `pos` in code points (Python str indices).
 * - `too-deep`: the `RecursionError` Python raises on deeply nested containers.
 * - `int-too-long`: the `ValueError` from `int()` on more than 4300 digits (Python's default
 *   `sys.get_int_max_str_digits()`).
 */
export type ParseResult =
  | { ok: true; value: PyValue }
  | { ok: false; error: "decode"; message: string; position: number }
  | { ok: false; error: "too-deep" }
  | { ok: false; error: "int-too-long" };

type ParseFailure = Exclude<ParseResult, { ok: true }>;

/**
 * Where Python gives up on nesting is not a fixed number: up to 3.11 the scanner shared the interpreter's
 * recursion limit (1000, less the frames already in use); from 3.12 it draws on a separate C recursion budget
 * of several thousand, less what the server's call stack already holds. 1000 is a conservative stand-in.
 */
const DEFAULT_MAX_NESTING_DEPTH = 1000;

const MAX_INT_DIGITS = 4300;

/**
 * Parses `text` exactly as CPython's C scanner (`Modules/_json.c`) does. `maxDepth` is the number of nested
 * arrays/objects accepted; one more gives `too-deep`. Nesting is handled with an explicit stack, so no input
 * can exhaust the JS call stack.
 */
export function parsePythonJson(text: string, maxDepth: number = DEFAULT_MAX_NESTING_DEPTH): ParseResult {
  const scanner = new Scanner(text, maxDepth);
  try {
    scanner.skipWhitespace();
    const value = scanner.scanValue();
    scanner.skipWhitespace();
    if (scanner.pos !== text.length) scanner.fail("Extra data", scanner.pos);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof Abort) return error.failure;
    throw error;
  }
}

/** Thrown to unwind the scanner; it never leaves this module. */
class Abort {
  readonly failure: ParseFailure;

  constructor(failure: ParseFailure) {
    this.failure = failure;
  }
}

type OpenContainer = { kind: "array"; items: PyValue[] } | { kind: "object"; entries: PyObject; key: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LAST_CONTROL_CHARACTER = 0x1f;

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

const KEYWORDS: ReadonlyArray<readonly [string, () => PyValue]> = [
  ["null", () => null],
  ["true", () => true],
  ["false", () => false],
  ["NaN", () => ({ kind: "float", value: Number.NaN })],
  ["Infinity", () => ({ kind: "float", value: Number.POSITIVE_INFINITY })],
  ["-Infinity", () => ({ kind: "float", value: Number.NEGATIVE_INFINITY })],
];

// Python's NUMBER_RE; the C scanner's hand-written matcher accepts exactly this, with ASCII digits only.
const NUMBER = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

/**
 * Walks the text in UTF-16 units: every character the grammar looks at is ASCII, so this matches Python's
 * code-point walk step for step, and only reported positions need converting to code points.
 */
class Scanner {
  readonly text: string;
  readonly maxDepth: number;
  pos = 0;

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  fail(message: string, utf16Offset: number): never {
    throw new Abort({ ok: false, error: "decode", message, position: codePointIndex(this.text, utf16Offset) });
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && isWhitespace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /**
   * Scans the value at `pos`. Containers wait on the `open` stack; each finished value goes into the innermost
   * one, and a container that closes is in turn a finished value for the one around it.
   */
  scanValue(): PyValue {
    const open: OpenContainer[] = [];
    for (;;) {
      let value = this.scanValueOrOpenContainer(open);
      while (value !== undefined) {
        const container = open.at(-1);
        if (container === undefined) return value;
        const closed = this.addMember(container, value);
        if (closed) open.pop();
        value = closed ? finishedValue(container) : undefined;
      }
    }
  }

  /** Either a complete value (scalars, empty containers) or `undefined` after opening a non-empty container. */
  private scanValueOrOpenContainer(open: OpenContainer[]): PyValue | undefined {
    const char = this.text.charCodeAt(this.pos);
    if (char !== OPEN_BRACKET && char !== OPEN_BRACE) return this.scanScalar();
    // Python enters a recursion level for every container, empty or not, before looking inside.
    if (open.length >= this.maxDepth) throw new Abort({ ok: false, error: "too-deep" });
    this.pos++;
    this.skipWhitespace();
    if (char === OPEN_BRACKET) {
      if (this.consume(CLOSE_BRACKET)) return [];
      open.push({ kind: "array", items: [] });
      return undefined;
    }
    if (this.consume(CLOSE_BRACE)) return new Map();
    open.push({ kind: "object", entries: new Map(), key: this.scanKeyAndColon() });
    return undefined;
  }

  /** Stores `value` in `container`; true when the container closed, false when another member follows. */
  private addMember(container: OpenContainer, value: PyValue): boolean {
    if (container.kind === "array") container.items.push(value);
    // Map.set keeps a repeated key at its first position with the last value, as a Python dict does.
    else container.entries.set(container.key, value);
    const closer = container.kind === "array" ? CLOSE_BRACKET : CLOSE_BRACE;
    this.skipWhitespace();
    if (this.consume(closer)) return true;
    const commaOffset = this.pos;
    if (!this.consume(COMMA)) this.fail("Expecting ',' delimiter", commaOffset);
    this.skipWhitespace();
    if (this.peek() === closer) {
      this.fail(`Illegal trailing comma before end of ${container.kind === "array" ? "array" : "object"}`, commaOffset);
    }
    if (container.kind === "object") container.key = this.scanKeyAndColon();
    return false;
  }

  private scanKeyAndColon(): string {
    if (this.peek() !== QUOTE) this.fail("Expecting property name enclosed in double quotes", this.pos);
    const key = this.scanString();
    this.skipWhitespace();
    if (!this.consume(COLON)) this.fail("Expecting ':' delimiter", this.pos);
    this.skipWhitespace();
    return key;
  }

  private scanScalar(): PyValue {
    if (this.peek() === QUOTE) return this.scanString();
    for (const [keyword, make] of KEYWORDS) {
      if (this.text.startsWith(keyword, this.pos)) {
        this.pos += keyword.length;
        return make();
      }
    }
    return this.scanNumber();
  }

  private scanNumber(): PyValue {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail("Expecting value", this.pos);
    const [literal, integerPart = "", fraction, exponent] = match;
    this.pos += literal.length;
    if (fraction !== undefined || exponent !== undefined) return { kind: "float", value: Number(literal) };
    const digitCount = integerPart.length - (integerPart.startsWith("-") ? 1 : 0);
    if (digitCount > MAX_INT_DIGITS) throw new Abort({ ok: false, error: "int-too-long" });
    return { kind: "int", value: BigInt(integerPart) };
  }

  /** Scans a string whose opening quote is at `pos`; leaves `pos` after the closing quote. */
  private scanString(): string {
    const quoteOffset = this.pos;
    const text = this.text;
    let decoded = "";
    let chunkStart = quoteOffset + 1;
    for (;;) {
      let end = chunkStart;
      while (end < text.length) {
        const char = text.charCodeAt(end);
        if (char === QUOTE || char === BACKSLASH) break;
        if (char <= LAST_CONTROL_CHARACTER) this.fail("Invalid control character at", end);
        end++;
      }
      if (end >= text.length) this.fail("Unterminated string starting at", quoteOffset);
      decoded += text.slice(chunkStart, end);
      if (text.charCodeAt(end) === QUOTE) {
        this.pos = end + 1;
        return decoded;
      }
      const escapeOffset = end + 1;
      if (escapeOffset === text.length) this.fail("Unterminated string starting at", quoteOffset);
      const escapeLetter = text.charAt(escapeOffset);
      if (escapeLetter === "u") {
        const { char, nextOffset } = this.scanUnicodeEscape(escapeOffset);
        decoded += char;
        chunkStart = nextOffset;
      } else {
        const char = SIMPLE_ESCAPES.get(escapeLetter);
        if (char === undefined) this.fail("Invalid \\escape", escapeOffset - 1);
        decoded += char;
        chunkStart = escapeOffset + 1;
      }
    }
  }

  /**
   * Decodes `\uXXXX` (`uOffset` is the `u`), joining a following `\uXXXX` low surrogate into one code point.
   * Unpaired surrogates are kept, as Python keeps them.
   */
  private scanUnicodeEscape(uOffset: number): { char: string; nextOffset: number } {
    const text = this.text;
    const digitsEnd = uOffset + 5;
    // The C scanner insists on one more character after the digits (the closing quote at the least).
    if (digitsEnd >= text.length) this.fail("Invalid \\uXXXX escape", uOffset);
    const unit = this.hex4(uOffset + 1, uOffset);
    const pairsWithNextEscape =
      isHighSurrogate(unit) && digitsEnd + 6 < text.length && text.charCodeAt(digitsEnd) === BACKSLASH && text.charAt(digitsEnd + 1) === "u";
    if (pairsWithNextEscape) {
      const low = this.hex4(digitsEnd + 2, digitsEnd + 1);
      if (isLowSurrogate(low)) return { char: String.fromCharCode(unit, low), nextOffset: digitsEnd + 6 };
    }
    return { char: String.fromCharCode(unit), nextOffset: digitsEnd };
  }

  private hex4(offset: number, uOffset: number): number {
    const digits = this.text.slice(offset, offset + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("Invalid \\uXXXX escape", uOffset);
    return Number.parseInt(digits, 16);
  }

  private peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  private consume(char: number): boolean {
    if (this.peek() !== char) return false;
    this.pos++;
    return true;
  }
}

function finishedValue(container: OpenContainer): PyValue {
  return container.kind === "array" ? container.items : container.entries;
}

function isWhitespace(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Python reports str indices, which count code points: a surrogate pair before the offset counts once. */
function codePointIndex(text: string, utf16Offset: number): number {
  let index = 0;
  for (let offset = 0; offset < utf16Offset; offset++) {
    const isPair = isHighSurrogate(text.charCodeAt(offset)) && isLowSurrogate(text.charCodeAt(offset + 1));
    if (isPair && offset + 1 < utf16Offset) offset++;
    index++;
  }
  return index;
}
