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
 * A new password, as pydantic's `Field(min_length=n)` checks it: Python counts
 * code points, not UTF-16 units, and echoes the limit in `ctx` as an integer.
 * A lone surrogate has no UTF-8 form: it would be hashed as U+FFFD, so any
 * other lone surrogates would match it. Python's UTF-8 encoder refuses it too.
 */
function newPassword(min: number) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const params = !value.isWellFormed()
        ? { type: "string_unicode", msg: "Input should be a valid string, unable to parse raw data as a unicode string" }
        : [...value].length < min
          ? { type: "string_too_short", msg: `String should have at least ${min} characters`, ctx: [["min_length", min]] }
          : null;
      if (params) ctx.issues.push({ code: "custom", message: params.msg, input: value, params });
    }),
  );
}

/** Field order is the order FastAPI reports errors in. */
export const PasswordChangeRequest = z.object({
  current_password: z.string(),
  new_password: newPassword(12),
  mfa_code: z.optional(z.nullable(z.string())),
});

export const RefreshRequest = z.object({
  refresh_token: z.string(),
});
