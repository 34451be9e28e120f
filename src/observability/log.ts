/** One JSON object per line: Workers Logs indexes the fields. */
export function logError(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const detail = error instanceof Error ? { error: error.name, reason: error.message, stack: error.stack } : { error: String(error) };
  console.error(JSON.stringify({ level: "error", message, ...fields, ...detail }));
}
