/**
 * A JSON value as CPython's `json.loads` builds it. Ints and floats stay distinct because Python keeps them
 * apart (`1` and `1.0` print differently, ints are unbounded).
 */
export type PyValue = null | boolean | string | PyInt | PyFloat | PyValue[] | PyObject;

export type PyInt = { kind: "int"; value: bigint };

export type PyFloat = { kind: "float"; value: number };

/**
 * A Python dict. A Map because a plain object would move integer-like keys ("10", "2") ahead of the others,
 * and Python keeps insertion order.
 */
export type PyObject = Map<string, PyValue>;

/** The value as plain JS for schema validation. Ints become Numbers, so ints beyond 2^53 lose precision. */
export function toPlainJson(value: PyValue): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value instanceof Map) return toPlainObject(value);
  return Number(value.value);
}

function toPlainObject(entries: PyObject): Record<string, unknown> {
  // A null prototype makes `__proto__` (and `constructor`, …) ordinary own keys instead of inherited members.
  const object: Record<string, unknown> = Object.create(null);
  for (const [key, member] of entries) object[key] = toPlainJson(member);
  return object;
}
