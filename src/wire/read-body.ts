import { ApiError } from "../errors/api-error.ts";

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads at most 64 KiB, cutting a streamed body off as soon as it passes the
 * limit. (A declared length over it was already refused, for every route, in
 * app.ts, before any work.)
 */
export async function readBoundedBody(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((cause: unknown) => {
      // The client went away mid-body: its fault, not ours. Starlette's
      // ClientDisconnect reaches FastAPI's generic "error parsing the body".
      throw new ApiError("body_incomplete", { cause });
    });
    if (done) break;
    length += value.byteLength;
    if (length > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ApiError("body_too_large");
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
