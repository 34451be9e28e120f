import { ApiError } from "../errors/api-error.ts";
import { type LockoutPolicy, lockedForSeconds, type ThrottleRow } from "../throttle/login-throttle.ts";
import type { AuthContext } from "./auth-context.ts";

export function lockoutPolicy(ctx: AuthContext): LockoutPolicy {
  return { maxFailures: ctx.config.loginMaxFailures, lockoutSeconds: ctx.config.loginLockoutSeconds };
}

/** 429 for a locked email, with how long the lock has left. */
export function tooManyAttempts(throttle: ThrottleRow | undefined, now: number): ApiError {
  return new ApiError("too_many_attempts", { headers: { "retry-after": String(Math.max(1, lockedForSeconds(throttle, now))) } });
}
