/**
 * Token-bearing responses must not be stored by any cache (RFC 6749 §5.1):
 * `no-store` for HTTP/1.1 caches, `Pragma` for HTTP/1.0 ones.
 */
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** FastAPI's JSONResponse: compact separators, `application/json` without charset. */
export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json", ...init.headers },
  });
}

export function tokenResponse(body: unknown): Response {
  return jsonResponse(body, { headers: NO_STORE });
}
