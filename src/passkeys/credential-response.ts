import { decodeBase64Url } from "../encoding/base64.ts";

/**
 * What this service reads itself from a `RegistrationResponseJSON` or
 * `AuthenticationResponseJSON` before handing it to the library: which
 * credential, which challenge, and (sign-in) which user handle. The rest is
 * the library's to check.
 */
export interface CredentialResponse {
  /** base64url credential id, as `response.id`. */
  id: string;
  rawId: unknown;
  /** `clientDataJSON.challenge`. */
  challenge: string;
  /** Sign-in: the user handle the authenticator returned, if any (base64url). */
  userHandle: string | null;
  /** The whole response, for the library. */
  json: Record<string, unknown>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** null when the response is not even shaped like one: no id, or no client data naming a challenge. */
export function readCredentialResponse(json: Record<string, unknown>): CredentialResponse | null {
  const { id, rawId, response } = json;
  if (typeof id !== "string" || id === "" || !isRecord(response)) return null;
  const clientData = typeof response.clientDataJSON === "string" ? decodeBase64Url(response.clientDataJSON) : null;
  if (!clientData) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(clientData));
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.challenge !== "string") return null;
  const { userHandle } = response;
  if (userHandle !== undefined && userHandle !== null && typeof userHandle !== "string") return null;
  return { id, rawId, challenge: parsed.challenge, userHandle: userHandle || null, json };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
