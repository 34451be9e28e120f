import { randomId } from "../encoding/base64.ts";
import { signToken } from "../tokens/sign-token.ts";
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
}

/** Refresh token lifetime is the session's: both end at `refreshExpiresAt`. */
export function refreshExpiresAt(ctx: AuthContext): number {
  return (issuedAtSeconds(ctx) + ctx.config.refreshTokenTtl) * 1000;
}

function issuedAtSeconds(ctx: AuthContext): number {
  return Math.floor(ctx.now / 1000);
}

export async function issueTokens(ctx: AuthContext, { adminId, sessionId, refreshJti, amr }: SessionTokens): Promise<TokenPair> {
  const iat = issuedAtSeconds(ctx);
  const audience = { issuer: ctx.config.issuer, audience: ctx.config.audience };
  const [accessToken, refreshToken] = await Promise.all([
    signToken(ctx.keyring, "access", { sub: adminId, sid: sessionId, jti: randomId(), iat, exp: iat + ctx.config.accessTokenTtl, amr }, audience),
    signToken(ctx.keyring, "refresh", { sub: adminId, sid: sessionId, jti: refreshJti, iat, exp: iat + ctx.config.refreshTokenTtl, amr }, audience),
  ]);
  return { access_token: accessToken, refresh_token: refreshToken, token_type: "bearer", expires_in: ctx.config.accessTokenTtl };
}
