/** One JSON object per line: Workers Logs indexes the fields. Never a password, token or key. */
export function logInfo(message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level: "info", message, ...fields }));
}

/**
 * One line per request: the `cf-ray` id to find it in Cloudflare's logs, the
 * route, the status, the time taken and the outcome (an error's stable code).
 * The bench's floor writes it too, so a floor ratio does not count its cost.
 */
export function logRequest(line: { requestId: string | null; method: string; route: string; status: number; durationMs: number; outcome: string }): void {
  logInfo("request", {
    request_id: line.requestId,
    method: line.method,
    route: line.route,
    status: line.status,
    duration_ms: line.durationMs,
    outcome: line.outcome,
  });
}

/** The stack goes to the log only, never into a response. */
export function logError(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const detail = error instanceof Error ? { error: error.name, reason: error.message, stack: error.stack } : { error: String(error) };
  console.error(JSON.stringify({ level: "error", message, ...fields, ...detail }));
}
