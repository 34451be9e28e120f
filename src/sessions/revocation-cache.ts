/**
 * KV is the edge cache of revocations, never their authority (D1 is): a KV
 * write takes up to ~60 s to reach other locations and KV has no atomic
 * operations. Keys:
 *
 * - `revoked-session:<sid>` — the session was revoked (logout, reuse, disable,
 *   password change); value: the reason.
 * - `rotated-refresh:<jti>` — that refresh token was rotated out; value: the
 *   rotation time (ms). Lets the edge refuse a racing duplicate without D1.
 *
 * Both expire with the token they describe: nothing stays once it could no
 * longer verify anyway. Identifiers only; no token is ever stored.
 */
const REVOKED_SESSION = "revoked-session:";
const ROTATED_REFRESH = "rotated-refresh:";

/** KV rejects an `expirationTtl` under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

function kvTtlSeconds(expiresAtMs: number, nowMs: number): number {
  return Math.max(KV_MIN_TTL_SECONDS, Math.ceil((expiresAtMs - nowMs) / 1000));
}

export function recordSessionRevoked(kv: KVNamespace, sessionId: string, reason: string, expiresAtMs: number, nowMs: number): Promise<void> {
  return kv.put(REVOKED_SESSION + sessionId, reason, { expirationTtl: kvTtlSeconds(expiresAtMs, nowMs) });
}

/** The copies of revocations D1 has made, one write per session: every edge then refuses them without asking D1. */
export async function recordSessionsRevoked(
  kv: KVNamespace,
  sessions: readonly { id: string; expiresAt: number }[],
  reason: string,
  nowMs: number,
): Promise<void> {
  await Promise.all(sessions.map((session) => recordSessionRevoked(kv, session.id, reason, session.expiresAt, nowMs)));
}

export function recordRefreshRotated(kv: KVNamespace, jti: string, tokenExpiresAtMs: number, nowMs: number): Promise<void> {
  return kv.put(ROTATED_REFRESH + jti, String(nowMs), { expirationTtl: kvTtlSeconds(tokenExpiresAtMs, nowMs) });
}

export async function isSessionRevoked(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(REVOKED_SESSION + sessionId)) !== null;
}

export interface RefreshRevocation {
  sessionRevoked: boolean;
  /** When the presented refresh token was rotated out, if this location knows. */
  rotatedAt: number | null;
}

/** One KV round trip for both keys. */
export async function readRefreshRevocation(kv: KVNamespace, sessionId: string, jti: string): Promise<RefreshRevocation> {
  const sessionKey = REVOKED_SESSION + sessionId;
  const refreshKey = ROTATED_REFRESH + jti;
  const values = await kv.get([sessionKey, refreshKey]);
  const rotatedAt = values.get(refreshKey);
  return { sessionRevoked: values.get(sessionKey) != null, rotatedAt: rotatedAt == null ? null : Number(rotatedAt) };
}
