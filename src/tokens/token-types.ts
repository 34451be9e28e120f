/**
 * The JOSE `typ` header keeps the two kinds of token apart: an access token
 * replayed at /refresh (or the reverse) fails verification outright.
 * `at+jwt` is RFC 9068 §2.1's media type for JWT access tokens.
 */
export const TOKEN_TYPES = { access: "at+jwt", refresh: "refresh+jwt" } as const;

export type TokenKind = keyof typeof TOKEN_TYPES;

export interface TokenClaims {
  /** Admin id. */
  sub: string;
  /** Session id: every token of one login carries it. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /**
   * When the admin signed in to open the session (seconds), kept by every
   * refresh (RFC 9470 §4, OpenID Connect Core §2); null for sessions opened
   * before it was recorded, which step-up treats as old.
   */
  auth_time: number | null;
}

/** Far above any token this service issues, far below what would cost real work to parse. */
export const MAX_TOKEN_LENGTH = 4096;
