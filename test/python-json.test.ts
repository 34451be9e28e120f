import { describe, expect, it } from "vitest";
import { dumpPythonJson } from "../src/wire/python-json/dump";
import { parsePythonJson } from "../src/wire/python-json/parse";
import { type PyValue, toPlainJson } from "../src/wire/python-json/value";

// Every expectation below was produced by CPython: `json.loads` on the UTF-8 bytes, and
// `json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))`. The oracle was 3.11, so the
// trailing-comma cases carry 3.13's message and position (the comma's index, per Modules/_json.c).

function parsed(text: string): PyValue {
  const result = parsePythonJson(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${JSON.stringify(result)}`);
  return result.value;
}

const decodeErrors: Array<[text: string, message: string, position: number]> = [
  // Responses recorded from the FastAPI service
  ["   ", "Expecting value", 3],
  ['{"email": "admin@example.com", "password": }', "Expecting value", 43],
  ["{'email': 'admin@example.com'}", "Expecting property name enclosed in double quotes", 1],
  ['{"email": "admin@example.com" "password": "pw"}', "Expecting ',' delimiter", 30],
  ['{"email" "admin@example.com"}', "Expecting ':' delimiter", 9],
  ['{"email": "admin@example.com", "password": "pw"} {}', "Extra data", 49],
  // Values and extra data
  ["", "Expecting value", 0],
  ["[", "Expecting value", 1],
  ["{", "Expecting property name enclosed in double quotes", 1],
  ["]", "Expecting value", 0],
  ["nul", "Expecting value", 0],
  ["tru", "Expecting value", 0],
  ["-", "Expecting value", 0],
  ["-Inf", "Expecting value", 0],
  ["+1", "Expecting value", 0],
  [".5", "Expecting value", 0],
  ["1.", "Extra data", 1],
  ["01", "Extra data", 1],
  ["1e", "Extra data", 1],
  ["0x10", "Extra data", 1],
  ["[1 2]", "Expecting ',' delimiter", 3],
  ['"a" "b"', "Extra data", 4],
  ["1 2", "Extra data", 2],
  ["\f1", "Expecting value", 0],
  ["1\f", "Extra data", 1],
  ["\u00a01", "Expecting value", 0],
  ["\ufeff{}", "Expecting value", 0],
  // Objects
  ['{"a"', "Expecting ':' delimiter", 4],
  ['{"a":', "Expecting value", 5],
  ['{"a":1', "Expecting ',' delimiter", 6],
  ['{"a" 1}', "Expecting ':' delimiter", 5],
  ['{"a":1 "b":2}', "Expecting ',' delimiter", 7],
  ["{,}", "Expecting property name enclosed in double quotes", 1],
  ['{"a":1,,"b":2}', "Expecting property name enclosed in double quotes", 7],
  ["{1:2}", "Expecting property name enclosed in double quotes", 1],
  ['{"a":1]', "Expecting ',' delimiter", 6],
  // Python 3.13 reports a trailing comma at the comma itself
  ["[1,]", "Illegal trailing comma before end of array", 2],
  ['{"a":1,}', "Illegal trailing comma before end of object", 6],
  ["[1 , \n]", "Illegal trailing comma before end of array", 3],
  ['{"a": 1 ,\t}', "Illegal trailing comma before end of object", 8],
  ["[[],]", "Illegal trailing comma before end of array", 3],
  ['[{"a":[1,]}]', "Illegal trailing comma before end of array", 8],
  ["[,]", "Expecting value", 1],
  ["[1,,]", "Expecting value", 3],
  // Strings
  ['"abc', "Unterminated string starting at", 0],
  ['["abc', "Unterminated string starting at", 1],
  ['"\\', "Unterminated string starting at", 0],
  ['"a\\"', "Unterminated string starting at", 0],
  ['"a\u0001"', "Invalid control character at", 2],
  ['"\u001f"', "Invalid control character at", 1],
  ['"tab\tinside"', "Invalid control character at", 4],
  ['"\\x"', "Invalid \\escape", 1],
  ['"\\\'"', "Invalid \\escape", 1],
  ['"\\U0041"', "Invalid \\escape", 1],
  ['"\\u12"', "Invalid \\uXXXX escape", 2],
  ['"\\u12g4"', "Invalid \\uXXXX escape", 2],
  ['"\\u1234', "Invalid \\uXXXX escape", 2],
  ['"\\ud800\\u12"', "Invalid \\uXXXX escape", 8],
  ['"\\ud800\\uzzzz"', "Invalid \\uXXXX escape", 8],
  ['"\\ud800\\udc00', "Invalid \\uXXXX escape", 8],
  ['{"a\u0000": 1}', "Invalid control character at", 3],
  // Positions count code points, not UTF-16 units
  ['["😀", x]', "Expecting value", 6],
  ['{"é😀": 1 2}', "Expecting ',' delimiter", 9],
  ['"😀😀\u0001"', "Invalid control character at", 3],
  ['["𝄞𝄞𝄞",]', "Illegal trailing comma before end of array", 6],
  ['{"k": "ü"} 😀', "Extra data", 11],
  ['"😀\\q"', "Invalid \\escape", 2],
];

const roundTrips: Array<[text: string, dumped: string]> = [
  // Literals and whitespace
  ["null", "null"],
  ["true", "true"],
  ["false", "false"],
  ['""', '""'],
  ["[]", "[]"],
  ["{}", "{}"],
  [" [ 1 , 2 ] ", "[1,2]"],
  ['\t\n\r{"a" : [ ] }\r\n', '{"a":[]}'],
  // Key order is insertion order; a repeated key keeps its first place and its last value
  ['{"b": 1, "a": [true, false, null], "10": "x", "2": 1.5}', '{"b":1,"a":[true,false,null],"10":"x","2":1.5}'],
  ['{"a": 1, "b": 2, "a": 3}', '{"a":3,"b":2}'],
  ['{"a": {"x": 1}, "a": {"y": 2}}', '{"a":{"y":2}}'],
  // Ints are arbitrary precision
  ["123456789012345678901234567890", "123456789012345678901234567890"],
  ["-0", "0"],
  ["-12", "-12"],
  ["9007199254740993", "9007199254740993"],
  // Floats print as float.__repr__
  ["0.1", "0.1"],
  ["1e16", "1e+16"],
  ["1E16", "1e+16"],
  ["1e-5", "1e-05"],
  ["123456789012345680000.0", "1.2345678901234568e+20"],
  ["-0.0", "-0.0"],
  ["5e-324", "5e-324"],
  ["1.7976931348623157e308", "1.7976931348623157e+308"],
  ["1.0", "1.0"],
  ["1e2", "100.0"],
  ["0.0001", "0.0001"],
  ["0.00001", "1e-05"],
  ["1234567890123456.0", "1234567890123456.0"],
  ["12345678901234567.0", "1.2345678901234568e+16"],
  ["2.5e-7", "2.5e-07"],
  ["1e15", "1000000000000000.0"],
  ["9999999999999998.0", "9999999999999998.0"],
  ["0.30000000000000004", "0.30000000000000004"],
  ["1.00000000000000011102230246251565404236316680908203125", "1.0"],
  ["2.4703282292062327e-324", "0.0"],
  ["1e-400", "0.0"],
  // Strings: escapes decoded, then re-escaped with ensure_ascii=False
  ['"\\ud83d\\ude00"', '"😀"'],
  ['"😀"', '"😀"'],
  ['"\\u00e9\\u00E9"', '"éé"'],
  ['"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\"\\\\/\\b\\f\\n\\r\\t"'],
  ['"\\u0000\\u0001\\u000b\\u001f\\u007f\\u0080"', '"\\u0000\\u0001\\u000b\\u001f\u007f\u0080"'],
  ['"\\u2028\\u2029\\ufeff"', '"\u2028\u2029\ufeff"'],
  ['"a\\u0041"', '"aA"'],
  ['{"__proto__": 1, "constructor": 2}', '{"__proto__":1,"constructor":2}'],
];

// Python parses these, but json.dumps raises ValueError (NaN, infinities) or the UTF-8 encoding of the
// response fails (lone surrogates): FastAPI answers 500.
const undumpable: string[] = ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400", '"\\ud800"', '["\\udc00"]', '{"\\ud83d": 1}', '"\\ude00\\ud83d"'];

describe("parsePythonJson", () => {
  it.each(decodeErrors)("%j: %s at %i", (text, message, position) => {
    expect(parsePythonJson(text)).toEqual({ ok: false, error: "decode", message, position });
  });

  it("keeps ints and floats apart", () => {
    expect(parsed("[1, 1.0, 1e0, -0, -0.0, 12345678901234567890]")).toEqual([
      { kind: "int", value: 1n },
      { kind: "float", value: 1 },
      { kind: "float", value: 1 },
      { kind: "int", value: 0n },
      { kind: "float", value: -0 },
      { kind: "int", value: 12345678901234567890n },
    ]);
  });

  it("accepts NaN, Infinity and -Infinity as floats", () => {
    expect(parsed("[NaN, Infinity, -Infinity, 1e400, -1e400]")).toEqual([
      { kind: "float", value: Number.NaN },
      { kind: "float", value: Number.POSITIVE_INFINITY },
      { kind: "float", value: Number.NEGATIVE_INFINITY },
      { kind: "float", value: Number.POSITIVE_INFINITY },
      { kind: "float", value: Number.NEGATIVE_INFINITY },
    ]);
  });

  it("lets the last duplicate key win while the key keeps its first position", () => {
    expect([...(parsed('{"a": 1, "10": 2, "2": 3, "a": 4}') as Map<string, PyValue>)]).toEqual([
      ["a", { kind: "int", value: 4n }],
      ["10", { kind: "int", value: 2n }],
      ["2", { kind: "int", value: 3n }],
    ]);
  });

  it("joins escaped surrogate pairs and keeps lone surrogates", () => {
    expect(parsed('"\\ud83d\\ude00"')).toBe("😀");
    expect(parsed('"\\ud800"')).toBe("\ud800");
    expect(parsed('"\\ude00\\ud83d"')).toBe("\ude00\ud83d");
    expect(parsed('"\\ud800\\u0041"')).toBe("\ud800A");
    expect(parsed('"\\ud800\\ud800\\udc00"')).toBe("\ud800\u{10000}");
  });

  it("accepts ints up to Python's 4300-digit limit", () => {
    expect(parsed("7".repeat(4300))).toEqual({ kind: "int", value: BigInt("7".repeat(4300)) });
    expect(parsed(`-${"7".repeat(4300)}`)).toEqual({ kind: "int", value: -BigInt("7".repeat(4300)) });
  });

  it("reports ints beyond 4300 digits as Python's ValueError, even before a later syntax error", () => {
    expect(parsePythonJson("7".repeat(4301))).toEqual({ ok: false, error: "int-too-long" });
    expect(parsePythonJson(`-${"7".repeat(4301)}`)).toEqual({ ok: false, error: "int-too-long" });
    expect(parsePythonJson(`[${"9".repeat(4301)}, }`)).toEqual({ ok: false, error: "int-too-long" });
    expect(parsed(`${"9".repeat(5000)}.5`)).toEqual({ kind: "float", value: Number.POSITIVE_INFINITY });
  });

  it("accepts 1000 nested containers and reports the 1001st as too deep", () => {
    expect(parsePythonJson("[".repeat(1000) + "]".repeat(1000)).ok).toBe(true);
    expect(parsePythonJson(`${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`).ok).toBe(true);
    expect(parsePythonJson("[".repeat(1001) + "]".repeat(1001))).toEqual({ ok: false, error: "too-deep" });
    expect(parsePythonJson(`${'{"a":'.repeat(1001)}1${"}".repeat(1001)}`)).toEqual({ ok: false, error: "too-deep" });
  });

  it("reports an error met before the depth limit as a decode error", () => {
    expect(parsePythonJson(`[x${"[".repeat(2000)}`)).toEqual({
      ok: false,
      error: "decode",
      message: "Expecting value",
      position: 1,
    });
  });

  it("survives 64 KiB of opening brackets", () => {
    expect(parsePythonJson("[".repeat(65536))).toEqual({ ok: false, error: "too-deep" });
    expect(parsePythonJson("[".repeat(65536), Number.POSITIVE_INFINITY)).toEqual({
      ok: false,
      error: "decode",
      message: "Expecting value",
      position: 65536,
    });
  });

  it("takes the depth limit as a parameter", () => {
    expect(parsePythonJson("[[1]]", 1)).toEqual({ ok: false, error: "too-deep" });
    expect(parsePythonJson("[[]]", 2).ok).toBe(true);
  });
});

describe("dumpPythonJson", () => {
  it.each(roundTrips)("%j dumps as %s", (text, dumped) => {
    expect(dumpPythonJson(parsed(text))).toBe(dumped);
  });

  it.each(undumpable)("%j throws a RangeError", (text) => {
    expect(() => dumpPythonJson(parsed(text))).toThrow(RangeError);
  });

  it("escapes C0 controls as lowercase \\u00XX and leaves everything else raw", () => {
    const controls = String.fromCharCode(...Array.from({ length: 32 }, (_, code) => code));
    expect(dumpPythonJson(`${controls}\u007f\u2028é😀`)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f" +
        '\u007f\u2028é😀"',
    );
  });

  it("writes Map keys in insertion order", () => {
    const value = new Map<string, PyValue>([
      ["b", null],
      ["10", true],
      [
        "2",
        [
          { kind: "int", value: -5n },
          { kind: "float", value: 0.5 },
        ],
      ],
    ]);
    expect(dumpPythonJson(value)).toBe('{"b":null,"10":true,"2":[-5,0.5]}');
  });
});

describe("toPlainJson", () => {
  it("turns numbers into Numbers and Maps into null-prototype objects", () => {
    const plain = toPlainJson(parsed('{"__proto__": {"x": 1}, "10": [2.5, -7], "a": null}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBeNull();
    expect(Object.keys(plain)).toEqual(["10", "__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(plain, "__proto__")?.value).toEqual(Object.assign(Object.create(null), { x: 1 }));
    expect(plain["10"]).toEqual([2.5, -7]);
    expect(plain.a).toBeNull();
  });
});
