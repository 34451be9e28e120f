/**
 * KV is the edge cache of revocations, never their authority (D1 is): a KV
 * write takes up to ~60 s to reach other locations and KV has no atomic
 * operations. Keys:
 *
 * - `revoked-session:<sid>` — the session was revoked (logout, reuse, disable,
 *   password change); value: the reason.
 *
 * Only revocations: a copy of a refresh token's rotation would let an edge
 * that saw it refuse a replay that D1 would revoke the session for. Each key
 * expires with the session it describes: nothing stays once its tokens could
 * no longer verify anyway. Identifiers only; no token is ever stored.
 */
const REVOKED_SESSION = "revoked-session:";

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

export async function isSessionRevoked(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(REVOKED_SESSION + sessionId)) !== null;
}
