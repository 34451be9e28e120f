/** One JSON object per line: Workers Logs indexes the fields. Never a password, token or key. */
export function logInfo(message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level: "info", message, ...fields }));
}

/** The stack goes to the log only, never into a response. */
export function logError(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const detail = error instanceof Error ? { error: error.name, reason: error.message, stack: error.stack } : { error: String(error) };
  console.error(JSON.stringify({ level: "error", message, ...fields, ...detail }));
}
