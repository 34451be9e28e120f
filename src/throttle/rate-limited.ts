import { ApiError } from "../errors/api-error.ts";

/** The Rate Limiting binding counts per 60 s window (wrangler.toml's `period`), so that is the longest a client must wait. */
const RETRY_AFTER_SECONDS = "60";

/**
 * The contract's one 429 (contract.md): `{"detail":"Too many login attempts.
 * Try again later."}` with `Retry-After`. Every rate limit answers these bytes,
 * so a client of the FastAPI service needs no new case.
 */
export function rateLimited(): ApiError {
  return new ApiError("too_many_attempts", { headers: { "retry-after": RETRY_AFTER_SECONDS } });
}
