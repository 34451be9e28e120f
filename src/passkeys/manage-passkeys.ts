import { and, eq, isNull, not, sql } from "drizzle-orm";
import { stampedWith } from "../admins/admin-store.ts";
import { auditIf, auditIfChanged } from "../audit/audit-log.ts";
import type { AuthContext } from "../auth/auth-context.ts";
import { sessionClock } from "../auth/issue-tokens.ts";
import { database, storage } from "../db/client.ts";
import { admins, auditEvents, passkeys, sessions } from "../db/schema.ts";
import { randomId } from "../encoding/base64.ts";
import { ApiError } from "../errors/api-error.ts";
import { recordSessionsRevoked } from "../sessions/revocation-cache.ts";
import { liveSession, revokeAdminSessions, sessionLiveness } from "../sessions/session-store.ts";
import type { TokenClaims } from "../tokens/token-types.ts";
import { adminWithPasskeys } from "./own-passkeys.ts";
import { nameTaken, ownPasskey, type PasskeyView, passkeyCount, toPasskeyView } from "./passkey-store.ts";

export async function listOwnPasskeys(ctx: AuthContext, claims: TokenClaims): Promise<PasskeyView[]> {
  return (await adminWithPasskeys(ctx, claims)).passkeys.map(toPasskeyView);
}

/**
 * Renames one of the caller's passkeys. One D1 batch on the primary: the
 * conditional rename (live session, own passkey, name free), its audit row,
 * and what explains a refusal. Unknown and another admin's: the same 404.
 */
export async function renamePasskey(ctx: AuthContext, claims: TokenClaims, passkeyId: string, name: string): Promise<PasskeyView> {
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  const [[caller], [renamed], , [state]] = await storage(
    db.batch([
      sessionLiveness(db, live),
      db
        .update(passkeys)
        .set({ name })
        .where(and(ownPasskey(passkeyId, claims.sub), live, not(nameTaken(claims.sub, name, passkeyId))))
        .returning(),
      auditIfChanged(db, ctx.now, ctx.origin, { event: "passkey_renamed", reason: `passkey:${passkeyId}`, adminId: claims.sub, sessionId: claims.sid }),
      db.select({ nameTaken: nameTaken(claims.sub, name, passkeyId) }).from(sql`(select 1)`),
    ]),
  );
  if (!caller?.live) throw new ApiError("invalid_access_token");
  if (renamed) return toPasskeyView(renamed);
  if (state?.nameTaken) {
    const [own] = await storage(db.select({ id: passkeys.id }).from(passkeys).where(ownPasskey(passkeyId, claims.sub)));
    if (own) throw new ApiError("passkey_name_taken");
  }
  throw new ApiError("not_found");
}

/**
 * Removes one of the caller's passkeys and revokes the sessions it opened
 * (the caller's own among them, if it did). The last passkey of a
 * passkey-only admin stays: without it they could not sign in. One D1 batch;
 * the revocation runs only if this batch removed the passkey, which its
 * audit row (naming the passkey) tells.
 */
export async function removePasskey(ctx: AuthContext, claims: TokenClaims, passkeyId: string): Promise<void> {
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  // Parenthesised: `not(…)` would bind to its first term only.
  const lastOfPasskeyOnly = sql`(exists (select 1 from ${admins} where ${admins.id} = ${claims.sub} and ${admins.passkeyOnly}) and ${passkeyCount(claims.sub)} <= 1)`;
  const entry = { event: "passkey_removed", reason: `passkey:${passkeyId}`, adminId: claims.sub, sessionId: claims.sid } as const;
  const removed = sql`exists (select 1 from ${auditEvents} where ${auditEvents.event} = ${entry.event} and ${auditEvents.reason} = ${entry.reason}
    and ${auditEvents.adminId} = ${claims.sub} and ${auditEvents.at} = ${ctx.now})`;
  const [[caller], [state], , , revoked] = await storage(
    db.batch([
      sessionLiveness(db, live),
      db.select({ own: sql<number>`exists (select 1 from ${passkeys} where ${ownPasskey(passkeyId, claims.sub)})`, lastOfPasskeyOnly }).from(sql`(select 1)`),
      db.delete(passkeys).where(and(ownPasskey(passkeyId, claims.sub), live, not(lastOfPasskeyOnly))),
      auditIfChanged(db, ctx.now, ctx.origin, entry),
      db
        .update(sessions)
        .set({ revokedAt: ctx.now, revokedReason: "passkey_removed" })
        .where(and(eq(sessions.adminId, claims.sub), eq(sessions.passkeyId, passkeyId), isNull(sessions.revokedAt), removed))
        .returning({ id: sessions.id, expiresAt: sessions.expiresAt }),
    ]),
  );
  if (!caller?.live) throw new ApiError("invalid_access_token");
  if (!state?.own) throw new ApiError("not_found");
  if (state.lastOfPasskeyOnly) throw new ApiError("last_passkey_of_passkey_only");
  ctx.defer(recordSessionsRevoked(ctx.kv, revoked, "passkey_removed", ctx.now));
}

/**
 * Turns passkey-only on or off. On needs a passkey, takes a fresh security
 * stamp (a password login checked before it commits opens no session) and
 * revokes every other session of the admin, as MFA's `confirm` does: the
 * caller's stays. One D1 batch; asking for the state already in force
 * changes nothing.
 */
export async function setPasskeyOnly(ctx: AuthContext, claims: TokenClaims, enabled: boolean): Promise<{ passkey_only: boolean }> {
  const db = database(ctx.d1);
  const live = liveSession(claims.sid, claims.sub, sessionClock(ctx));
  const stamp = randomId();
  const changed = stampedWith(claims.sub, stamp);
  const who = { adminId: claims.sub, sessionId: claims.sid };
  const hasPasskey = sql`${passkeyCount(claims.sub)} > 0`;
  const [[caller], [state], , , revoked] = await storage(
    db.batch([
      sessionLiveness(db, live),
      db.select({ hasPasskey }).from(sql`(select 1)`),
      db
        .update(admins)
        .set({ passkeyOnly: enabled, updatedAt: ctx.now, ...(enabled ? { securityStamp: stamp } : {}) })
        .where(and(eq(admins.id, claims.sub), eq(admins.passkeyOnly, !enabled), live, enabled ? hasPasskey : undefined)),
      enabled
        ? auditIf(db, ctx.now, ctx.origin, { event: "passkey_only_enabled", ...who }, changed)
        : auditIfChanged(db, ctx.now, ctx.origin, { event: "passkey_only_disabled", ...who }),
      revokeAdminSessions(db, claims.sub, "passkey_only_enabled", ctx.now, { keep: claims.sid, onlyIf: enabled ? changed : sql`0` }),
    ]),
  );
  if (!caller?.live) throw new ApiError("invalid_access_token");
  if (enabled && !state?.hasPasskey) throw new ApiError("no_passkey_registered");
  ctx.defer(recordSessionsRevoked(ctx.kv, revoked, "passkey_only_enabled", ctx.now));
  return { passkey_only: enabled };
}
