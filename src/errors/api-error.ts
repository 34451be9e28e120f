import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ApiErrorCode, errorResponse, errorStatus } from "./error-responses.ts";

export type { ApiErrorCode } from "./error-responses.ts";

interface ApiErrorOptions {
  /** Extra response headers the code needs, such as `Allow` or `Retry-After`. */
  headers?: Record<string, string>;
  /** A ready FastAPI body (422 only): its `detail` list is built by the wire layer. */
  body?: string;
  cause?: unknown;
}

/**
 * The one error type of the service. Its `code` is stable (logs and tests match
 * on it); the bytes on the wire come from `errorResponse`, the only place that
 * knows FastAPI's shapes.
 */
export class ApiError extends HTTPException {
  readonly code: ApiErrorCode;
  readonly #options: ApiErrorOptions;

  constructor(code: ApiErrorCode, options: ApiErrorOptions = {}) {
    super(errorStatus(code) as ContentfulStatusCode, { message: code, cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.#options = options;
  }

  override getResponse(): Response {
    return errorResponse(this.code, this.#options.body, this.#options.headers);
  }
}
