import type { Config } from "../config/config.ts";
import { randomId } from "../encoding/base64.ts";
import type { SessionClock } from "../sessions/session-store.ts";
import { signToken } from "../tokens/sign-token.ts";
import type { TokenKind } from "../tokens/token-types.ts";
import type { AuthContext } from "./auth-context.ts";

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface SessionTokens {
  adminId: string;
  sessionId: string;
  refreshJti: string;
  /** How the session's admin logged in (RFC 8176), said by every token of the session. */
  amr: readonly string[];
  /** When the session ends (ms): its refresh token ends then too, and no access token outlives it. */
  expiresAt: number;
  /** When the admin signed in to open the session (ms); null for a session opened before it was recorded. */
  authTime: number | null;
}

/** The times sessions are judged by: now, and the earliest a live session can have been opened (SESSION_MAX_LIFETIME). */
export function sessionClock(ctx: AuthContext): SessionClock {
  return { now: ctx.now, openedAfter: ctx.now - ctx.config.sessionMaxLifetime * 1000 };
}

/** A refresh token's lifetime from now, which a session's maximum lifetime may cut short. */
export function refreshExpiresAt(ctx: AuthContext): number {
  return (issuedAtSeconds(ctx) + ctx.config.refreshTokenTtl) * 1000;
}

/** A new session's end: a refresh token's lifetime, or its maximum lifetime if that is shorter. */
export function newSessionExpiresAt(ctx: AuthContext): number {
  return (issuedAtSeconds(ctx) + Math.min(ctx.config.refreshTokenTtl, ctx.config.sessionMaxLifetime)) * 1000;
}

/**
 * The longest `exp − iat` `issueTokens` writes, which verification holds every
 * token to. An access token: ACCESS_TOKEN_TTL, or less at its session's end. A
 * refresh token ends with its session, which a login opens for the shorter of
 * REFRESH_TOKEN_TTL and SESSION_MAX_LIFETIME and a refresh moves to at most
 * REFRESH_TOKEN_TTL from its `iat`, never past the opening (at or before that
 * `iat`) plus SESSION_MAX_LIFETIME. Lowering a setting therefore refuses the
 * tokens written under the longer one.
 */
export function longestLife(config: Config, kind: TokenKind): number {
  return kind === "access" ? config.accessTokenTtl : Math.min(config.refreshTokenTtl, config.sessionMaxLifetime);
}

function issuedAtSeconds(ctx: AuthContext): number {
  return Math.floor(ctx.now / 1000);
}

export async function issueTokens(ctx: AuthContext, { adminId, sessionId, refreshJti, amr, expiresAt, authTime }: SessionTokens): Promise<TokenPair> {
  const iat = issuedAtSeconds(ctx);
  const auth_time = authTime === null ? null : Math.floor(authTime / 1000);
  const sessionEnd = Math.floor(expiresAt / 1000);
  const accessExp = Math.min(iat + ctx.config.accessTokenTtl, sessionEnd);
  const audience = { issuer: ctx.config.issuer, audience: ctx.config.audience };
  const [accessToken, refreshToken] = await Promise.all([
    signToken(ctx.keyring, "access", { sub: adminId, sid: sessionId, jti: randomId(), iat, exp: accessExp, amr, auth_time }, audience),
    signToken(ctx.keyring, "refresh", { sub: adminId, sid: sessionId, jti: refreshJti, iat, exp: sessionEnd, amr, auth_time }, audience),
  ]);
  return { access_token: accessToken, refresh_token: refreshToken, token_type: "bearer", expires_in: accessExp - iat };
}
