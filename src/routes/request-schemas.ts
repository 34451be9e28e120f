import * as z from "zod/mini";
import { validateEmail } from "../wire/email-address/email-str.ts";
import type { FastApiIssueParams } from "../wire/fastapi-validation.ts";

/**
 * pydantic's `EmailStr`: the value as email-validator normalises it (trimmed,
 * domain lower-cased), or email-validator's reason as a `value_error`.
 */
export const EmailStr = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const result = validateEmail(value);
    if (result.ok) return result.normalized;
    const params: FastApiIssueParams = {
      type: "value_error",
      msg: `value is not a valid email address: ${result.reason}`,
      ctx: [["reason", result.reason]],
    };
    ctx.issues.push({ code: "custom", message: result.reason, input: value, params: { ...params } });
    return z.NEVER;
  }),
);

/** Field order is the order FastAPI reports errors in. Unknown fields are ignored, as pydantic does. */
export const LoginRequest = z.object({
  email: EmailStr,
  password: z.string(),
  /** `str | None = None`: absent and null alike mean no code. */
  mfa_code: z.optional(z.nullable(z.string())),
});

/** The code of `confirm` and `disable`: a TOTP, or (to disable) a recovery code. */
export const MfaCodeRequest = z.object({
  code: z.string(),
});

/**
 * A `str` with pydantic's `Field(min_length=…, max_length=…)`: Python counts
 * code points, not UTF-16 units, and echoes the limit in `ctx` as an integer.
 * A lone surrogate has no UTF-8 form (a password would be hashed as U+FFFD,
 * so any other lone surrogates would match it); pydantic refuses it too.
 */
function boundedString({ min, max }: { min?: number; max?: number }) {
  const characters = (count: number) => `${count} character${count === 1 ? "" : "s"}`;
  return z.string().check(
    z.superRefine((value, ctx) => {
      const length = [...value].length;
      const params = !value.isWellFormed()
        ? { type: "string_unicode", msg: "Input should be a valid string, unable to parse raw data as a unicode string" }
        : min !== undefined && length < min
          ? { type: "string_too_short", msg: `String should have at least ${characters(min)}`, ctx: [["min_length", min]] }
          : max !== undefined && length > max
            ? { type: "string_too_long", msg: `String should have at most ${characters(max)}`, ctx: [["max_length", max]] }
            : null;
      if (params) ctx.issues.push({ code: "custom", message: params.msg, input: value, params });
    }),
  );
}

/** Field order is the order FastAPI reports errors in. */
export const PasswordChangeRequest = z.object({
  current_password: z.string(),
  new_password: boundedString({ min: 12 }),
  mfa_code: z.optional(z.nullable(z.string())),
});

export const RefreshRequest = z.object({
  refresh_token: z.string(),
});

/** pydantic's `dict`: any JSON object; WebAuthn's response JSON is checked by the ceremony, not here. */
export const pyDict = z.custom<Record<string, unknown>>().check(
  z.superRefine((value, ctx) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return;
    const params: FastApiIssueParams = { type: "dict_type", msg: "Input should be a valid dictionary" };
    ctx.issues.push({ code: "custom", message: params.msg, input: value, params: { ...params } });
  }),
);

const TRUE_STRINGS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_STRINGS = new Set(["0", "off", "f", "false", "n", "no"]);
const I64_LIMIT = 2 ** 63;

/**
 * pydantic's lax `bool`: true and false, the strings it reads as booleans
 * whatever their case, and the numbers 0 and 1. Other strings and whole
 * numbers in i64 range "cannot be interpreted" (`bool_parsing`); anything
 * else is no boolean at all (`bool_type`). Numbers arrive as JS numbers, so
 * an integer within 2^10 of ±2^63 is judged by its nearest double.
 */
export const pyBool = z.pipe(
  z.unknown(),
  z.transform((value, ctx): boolean => {
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && TRUE_STRINGS.has(value.toLowerCase())) return true;
    if (typeof value === "string" && FALSE_STRINGS.has(value.toLowerCase())) return false;
    if (value === 0 || value === 1) return value === 1;
    const interpretable = typeof value === "string" || (Number.isInteger(value) && Math.abs(value as number) < I64_LIMIT) || value === -I64_LIMIT;
    const params: FastApiIssueParams = interpretable
      ? { type: "bool_parsing", msg: "Input should be a valid boolean, unable to interpret input" }
      : { type: "bool_type", msg: "Input should be a valid boolean" };
    ctx.issues.push({ code: "custom", message: params.msg, input: value, params: { ...params } });
    return z.NEVER;
  }),
);

/** A passkey's name: what the admin will recognise it by. */
export const PASSKEY_NAME = { min: 1, max: 64 };
export const PasskeyName = boundedString(PASSKEY_NAME);
export const OptionalPasskeyName = boundedString({ max: PASSKEY_NAME.max });

export const PasskeyRegistrationRequest = z.object({
  response: pyDict,
  /** `str | None = Field(None, max_length=64)`: absent or null, a name is derived. */
  name: z.optional(z.nullable(OptionalPasskeyName)),
});

export const PasskeySignInRequest = z.object({
  response: pyDict,
});

export const PasskeyRenameRequest = z.object({
  name: PasskeyName,
});

export const PasskeyOnlyRequest = z.object({
  enabled: pyBool,
});
