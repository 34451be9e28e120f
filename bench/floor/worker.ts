import { type JWTHeaderParameters, jwtVerify, SignJWT } from "jose";
import { timingSafeEqual } from "../../src/crypto/timing-safe-equal.ts";
import { randomId } from "../../src/encoding/base64.ts";
import { parseIp, siteKey } from "../../src/http/client-ip.ts";
import { logRequest } from "../../src/observability/log.ts";
import { parsePhc } from "../../src/passwords/phc.ts";

/**
 * The platform's floor for each measured route: a worker that makes exactly
 * the calls the real route makes — the same D1 batches and reads with the
 * same SQL (the text drizzle emits for src/), the same KV reads and writes,
 * the same rate-limiter calls, the same ES256 signs and verifies through
 * jose, one PBKDF2 derivation at the stored iteration count — and nothing
 * else: no framework, no body decoding beyond `request.json()`, no
 * validation, no timeouts around storage, no CORS or security headers. It
 * does write the worker's request line (src's own `logRequest`): under
 * `wrangler dev` that one `console.log` costs ~3 ms of CPU across wrangler's
 * processes, which a floor without it would count as the app's.
 * bench/lib/floor-calls.ts checks at every bench start that both workers make
 * the same calls and log the same line.
 *
 * It answers the same paths with the same token fields, so the bench drives
 * it with the very targets it drives the real worker with; `project ÷ floor`
 * is then what the app's own code costs. It borrows src/'s id, PHC-parsing
 * and comparison helpers, so its ids, tokens and hashes have the real sizes.
 *
 * It runs on a copy of the real worker's local state (migrated, with the
 * bench admins), behind the same static-assets front. Failures answer a bare
 * status: the bench counts any non-2xx as a broken run.
 */
interface FloorEnv {
  DB: D1Database;
  REVOCATIONS: KVNamespace;
  LOGIN_RATE_LIMITER: RateLimit;
  LOGIN_SITE_RATE_LIMITER: RateLimit;
  SESSION_RATE_LIMITER: RateLimit;
  JWT_SIGNING_KEYS: string;
}

// wrangler.toml's [vars]: here they only go into token claims and SQL parameters.
const ISSUER = "https://scaikey.example.com";
const AUDIENCE = "scaikey-admin";
const ACCESS_TOKEN_TTL = 900;
const REFRESH_TOKEN_TTL = 604_800;
const REFRESH_REUSE_INTERVAL_MS = 10_000;
const SESSION_MAX_LIFETIME_MS = 2_592_000_000;

const PREFIX = "/api/v1/admin/auth";

// The SQL the real routes send, as drizzle writes it for src/ (same statements, same placeholders, same order).

/** login, read near (Sessions API), and again at the end of the decision batch: admin by email (admin-store.ts `findAdminByEmail`). */
const FIND_ADMIN = `select "id", "email", "name", "role", "password_hash", "is_active", "created_at", "updated_at", "last_login_at", "security_stamp", "totp_secret", "totp_pending_secret", "totp_last_step", "totp_earlier_steps", "webauthn_user_id", "passkey_only" from "admins" where lower("admins"."email") = lower(?) limit ?`;

/** login, read near, and again at the end of the decision batch: the email's lock (`findThrottle`). */
const FIND_THROTTLE = `select "email", "failures", "locked_until", "last_failure_at", "locked_at", "refused_attempts" from "login_throttle" where "login_throttle"."email" = ? limit ?`;

/** login, decision batch: the primary agrees with the read admin (`adminAsRead`), as a SQL fragment of the statements below. */
const AS_READ = `exists (select 1 from "admins" where "admins"."id" = ? and lower("admins"."email") = lower(?)
    and "admins"."security_stamp" = ? and "admins"."is_active" = ? and "admins"."passkey_only" = ?)`;

/** login, decision batch: the email is locked on the primary (`lockInForce`). */
const LOCKED = `exists (select 1 from "login_throttle" where "login_throttle"."email" = ? and "login_throttle"."locked_until" > ?)`;

/** login, decision batch: a refusal counted on the lock, if the primary agrees and the lock is in force (`countRefusedAttempt`, two statements). */
const COUNT_REFUSED = `update "login_throttle" set "refused_attempts" = "login_throttle"."refused_attempts" + 1 where ("login_throttle"."email" = ? and "login_throttle"."locked_until" > ? and (${AS_READ} and ${LOCKED}))`;
const COUNT_REFUSED_ON_LOCKOUT_ROW = `update "audit_events" set "refused_attempts" = "audit_events"."refused_attempts" + 1 where ("audit_events"."email" = ? and "audit_events"."event" = ? and "audit_events"."at" = (select "login_throttle"."locked_at" from "login_throttle" where "login_throttle"."email" = ?) and (${AS_READ} and ${LOCKED}))`;

/** login, decision batch: the session, opened only if the primary agrees and the email is unlocked (session-store.ts `insertSessionIf`). */
const INSERT_SESSION = `insert into "sessions" ("id", "admin_id", "refresh_jti", "previous_refresh_jti", "rotated_at", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason", "ip", "user_agent", "amr", "auth_time", "passkey_id") select ? as "id", ? as "adminId", ? as "refreshJti", ? as "previousRefreshJti", ? as "rotatedAt", ? as "createdAt", ? as "lastUsedAt", ? as "expiresAt", ? as "revokedAt", ? as "revokedReason", ? as "ip", ? as "userAgent", ? as "amr", ? as "authTime", ? as "passkeyId" from (select 1) where (${AS_READ} and not ${LOCKED}) returning "id"`;

/** Every route's audit row, written only if the statement before it changed something (audit-log.ts `auditIfChanged`). */
const AUDIT_IF_CHANGED = `insert into "audit_events" ("id", "at", "event", "reason", "email", "admin_id", "session_id", "ip", "user_agent", "colo", "refused_attempts") select ? as "id", ? as "at", ? as "event", ? as "reason", ? as "email", ? as "adminId", ? as "sessionId", ? as "ip", ? as "userAgent", ? as "colo", ? as "refusedAttempts" from (select 1) where changes() > 0`;

/** login, decision batch (`recordLogin`). */
const RECORD_LOGIN = `update "admins" set "last_login_at" = ? where ("admins"."id" = ? and exists (select 1 from "sessions" where "sessions"."id" = ?))`;

/** login, decision batch (`clearFailures`). */
const CLEAR_FAILURES = `delete from "login_throttle" where ("login_throttle"."email" = ? and exists (select 1 from "sessions" where "sessions"."id" = ?))`;

/** refresh batch: a replayed token revokes the session (session-store.ts `rotateRefreshToken`). */
const REVOKE_REPLAYED = `update "sessions" set "revoked_at" = ?, "revoked_reason" = ? where (("sessions"."id" = ? and "sessions"."admin_id" = ? and "sessions"."revoked_at" is null) and "sessions"."refresh_jti" <> ? and coalesce("sessions"."previous_refresh_jti" = ? and "sessions"."rotated_at" > ?, 0) = 0) returning "expires_at"`;

/** refresh batch: the current token swapped for the next. */
const ROTATE = `update "sessions" set "refresh_jti" = ?, "previous_refresh_jti" = ?, "rotated_at" = ?, "last_used_at" = ?, "expires_at" = min(?, "sessions"."created_at" + ?) where (("sessions"."id" = ? and "sessions"."admin_id" = ? and "sessions"."revoked_at" is null) and "sessions"."refresh_jti" = ? and "sessions"."expires_at" > ? and "sessions"."created_at" > ? and exists (select 1 from "admins" where "admins"."id" = ? and "admins"."is_active")) returning "amr", "expires_at", "auth_time"`;

/** /me: the admin behind the session, in one read (`findSessionAdmin`), in array mode as drizzle reads a join. */
const FIND_SESSION_ADMIN = `select "admins"."id", "admins"."email", "admins"."name", "admins"."role", "admins"."password_hash", "admins"."is_active", "admins"."created_at", "admins"."updated_at", "admins"."last_login_at", "admins"."security_stamp", "admins"."totp_secret", "admins"."totp_pending_secret", "admins"."totp_last_step", "admins"."totp_earlier_steps", "admins"."webauthn_user_id", "admins"."passkey_only", "sessions"."revoked_at", "sessions"."expires_at", "sessions"."created_at" as "session_created_at" from "sessions" inner join "admins" on "admins"."id" = "sessions"."admin_id" where ("sessions"."id" = ? and "sessions"."admin_id" = ?) limit ?`;

interface Keys {
  kid: string;
  signer: CryptoKey;
  verifier: CryptoKey;
}

interface Claims {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
}

/** The columns of FIND_ADMIN that the route uses. */
interface AdminRecord {
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  is_active: number;
  created_at: number;
  totp_secret: string | null;
  security_stamp: string;
  passkey_only: number;
}

/** Imported once per isolate, as src/tokens/keyring.ts does: WebCrypto's JWK import of the first key. */
let keys: Promise<Keys> | null = null;

async function importKeys(secret: string): Promise<Keys> {
  const [jwk] = JSON.parse(secret) as (JsonWebKey & { kid: string })[];
  if (!jwk) throw new Error("JWT_SIGNING_KEYS holds no key");
  const algorithm = { name: "ECDSA", namedCurve: "P-256" };
  const { kty, crv, x, y, kid } = jwk;
  return {
    kid,
    signer: await crypto.subtle.importKey("jwk", { ...jwk, alg: "ES256" }, algorithm, false, ["sign"]),
    verifier: await crypto.subtle.importKey("jwk", { kty, crv, x, y, alg: "ES256" }, algorithm, false, ["verify"]),
  };
}

const TOKEN_TYPES = { access: "at+jwt", refresh: "refresh+jwt" } as const;

function sign(key: Keys, kind: keyof typeof TOKEN_TYPES, claims: Claims & { iat: number; amr: string[]; authTime: number | null }): Promise<string> {
  return new SignJWT({ sid: claims.sid, amr: claims.amr, ...(claims.authTime === null ? {} : { auth_time: claims.authTime }) })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: TOKEN_TYPES[kind] })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(key.signer);
}

async function verify(key: Keys, kind: keyof typeof TOKEN_TYPES, token: string): Promise<Claims | null> {
  try {
    const keyFor = (header: JWTHeaderParameters) => {
      if (header.kid !== key.kid) throw new Error("no key with this kid");
      return key.verifier;
    };
    const { payload } = await jwtVerify(token, keyFor, {
      algorithms: ["ES256"],
      typ: TOKEN_TYPES[kind],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["iss", "aud", "sub", "sid", "jti", "iat", "exp"],
    });
    return { sub: String(payload.sub), sid: String(payload.sid), jti: String(payload.jti), exp: Number(payload.exp) };
  } catch {
    return null;
  }
}

/** The access and refresh token of a session, signed at once as src/auth/issue-tokens.ts does. */
async function tokenPair(
  key: Keys,
  session: { adminId: string; sessionId: string; refreshJti: string; amr: string[]; expiresAt: number; authTime: number | null },
  now: number,
) {
  const iat = Math.floor(now / 1000);
  const sessionEnd = Math.floor(session.expiresAt / 1000);
  const accessExp = Math.min(iat + ACCESS_TOKEN_TTL, sessionEnd);
  const authTime = session.authTime === null ? null : Math.floor(session.authTime / 1000);
  const common = { sub: session.adminId, sid: session.sessionId, iat, amr: session.amr, authTime };
  const [access, refresh] = await Promise.all([
    sign(key, "access", { ...common, jti: randomId(), exp: accessExp }),
    sign(key, "refresh", { ...common, jti: session.refreshJti, exp: sessionEnd }),
  ]);
  return { access_token: access, refresh_token: refresh, token_type: "bearer", expires_in: accessExp - iat };
}

/** The public view of an admin, as src/admins/admin-user.ts writes it. */
function user(
  admin: { id: string; email: string; name: string; role: string; isActive: number; createdAt: number; totpSecret: string | null; passkeyOnly: number },
  lastLoginAt: number | null,
) {
  return {
    id: admin.id,
    email: admin.email,
    name: admin.name,
    role: admin.role,
    is_active: admin.isActive === 1,
    created_at: new Date(admin.createdAt).toISOString(),
    last_login_at: lastLoginAt === null ? null : new Date(lastLoginAt).toISOString(),
    mfa_enabled: admin.totpSecret !== null,
    passkey_only: admin.passkeyOnly === 1,
  };
}

const encoder = new TextEncoder();

/** One PBKDF2-HMAC-SHA256 derivation at the stored hash's own iteration count, as src/passwords/verify-password.ts does it. */
async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const hash = parsePhc(stored);
  if (!hash) return false;
  const material = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: hash.salt, iterations: hash.iterations }, material, hash.key.length * 8);
  return timingSafeEqual(new Uint8Array(bits), hash.key);
}

async function login(request: Request, env: FloorEnv, key: Keys): Promise<Response> {
  const { email, password } = await request.json<{ email: string; password: string }>();
  const ip = request.headers.get("cf-connecting-ip");
  // An IPv6 client is counted per /48 as well, at once (src/throttle/client-rate-limit.ts); the bench's clients are IPv4.
  const parsed = ip?.includes(":") ? parseIp(ip) : null;
  const site = parsed && siteKey(parsed);
  const limits = await Promise.all([
    env.LOGIN_RATE_LIMITER.limit({ key: ip ?? "unknown" }),
    site === null ? { success: true } : env.LOGIN_SITE_RATE_LIMITER.limit({ key: site }),
  ]);
  if (!limits.every((outcome) => outcome.success)) return new Response(null, { status: 429 });

  const now = Date.now();
  const emailKey = email.toLowerCase();
  // Read near the client, through the Sessions API (src/auth/login.ts).
  const near = env.DB.withSession("first-unconstrained");
  const [found] = await near.batch<Record<string, unknown>>([near.prepare(FIND_ADMIN).bind(email, 1), near.prepare(FIND_THROTTLE).bind(emailKey, 1)]);
  const admin = found?.results[0] as AdminRecord | undefined;
  if (!admin) return new Response(null, { status: 401 });
  if (!(await passwordMatches(password, admin.password_hash))) return new Response(null, { status: 401 });

  const session = {
    adminId: admin.id,
    sessionId: randomId(),
    refreshJti: randomId(),
    amr: ["pwd"],
    expiresAt: (Math.floor(now / 1000) + REFRESH_TOKEN_TTL) * 1000,
    authTime: now,
  };
  const userAgent = request.headers.get("user-agent");
  const asRead = [admin.id, email, admin.security_stamp, admin.is_active, admin.passkey_only];
  const locked = [emailKey, now];
  // One batch on the primary decides, and reads the admin and the lock back.
  const [, , opened] = await env.DB.batch([
    env.DB.prepare(COUNT_REFUSED).bind(emailKey, now, ...asRead, ...locked),
    env.DB.prepare(COUNT_REFUSED_ON_LOCKOUT_ROW).bind(emailKey, "login_locked_out", emailKey, ...asRead, ...locked),
    env.DB.prepare(INSERT_SESSION).bind(
      session.sessionId,
      admin.id,
      session.refreshJti,
      null,
      null,
      now,
      now,
      session.expiresAt,
      null,
      null,
      ip,
      userAgent,
      JSON.stringify(session.amr),
      now,
      null,
      ...asRead,
      ...locked,
    ),
    env.DB.prepare(AUDIT_IF_CHANGED).bind(null, now, "login_succeeded", null, emailKey, admin.id, session.sessionId, ip, userAgent, null, 0),
    env.DB.prepare(RECORD_LOGIN).bind(now, admin.id, session.sessionId),
    env.DB.prepare(CLEAR_FAILURES).bind(emailKey, session.sessionId),
    env.DB.prepare(FIND_ADMIN).bind(email, 1),
    env.DB.prepare(FIND_THROTTLE).bind(emailKey, 1),
  ]);
  if (opened?.results.length !== 1) return new Response(null, { status: 401 });
  const view = { ...admin, isActive: admin.is_active, createdAt: admin.created_at, totpSecret: admin.totp_secret, passkeyOnly: admin.passkey_only };
  return Response.json({ ...(await tokenPair(key, session, now)), user: user(view, now) });
}

async function refresh(request: Request, env: FloorEnv, key: Keys): Promise<Response> {
  const { refresh_token } = await request.json<{ refresh_token: string }>();
  const claims = await verify(key, "refresh", refresh_token);
  if (!claims) return new Response(null, { status: 401 });
  const now = Date.now();
  // Only the session's revocation, as src/auth/refresh.ts asks KV, and beside it the session's rate limit,
  // which decides whether the rotation writes its audit row: D1 decides the rest.
  const [revoked, allowance] = await Promise.all([env.REVOCATIONS.get(`revoked-session:${claims.sid}`), env.SESSION_RATE_LIMITER.limit({ key: claims.sid })]);
  if (revoked !== null) return new Response(null, { status: 401 });

  const nextJti = randomId();
  const ip = request.headers.get("cf-connecting-ip");
  const userAgent = request.headers.get("user-agent");
  const audit = (event: string) => env.DB.prepare(AUDIT_IF_CHANGED).bind(null, now, event, null, null, claims.sub, claims.sid, ip, userAgent, null, 0);
  const expiresAt = (Math.floor(now / 1000) + REFRESH_TOKEN_TTL) * 1000;
  const writes = [
    env.DB.prepare(REVOKE_REPLAYED).bind(now, "refresh_token_reuse", claims.sid, claims.sub, claims.jti, claims.jti, now - REFRESH_REUSE_INTERVAL_MS),
    audit("refresh_reuse_detected"),
    env.DB.prepare(ROTATE).bind(
      nextJti,
      claims.jti,
      now,
      now,
      expiresAt,
      SESSION_MAX_LIFETIME_MS,
      claims.sid,
      claims.sub,
      claims.jti,
      now,
      now - SESSION_MAX_LIFETIME_MS,
      claims.sub,
    ),
  ];
  const [, , rotated] = await env.DB.batch<{ amr: string; expires_at: number; auth_time: number | null }>(
    allowance.success ? [...writes, audit("refresh")] : writes,
  );
  const row = rotated?.results[0];
  if (!row) return new Response(null, { status: 401 });
  const amr = JSON.parse(row.amr) as string[];
  return Response.json(
    await tokenPair(key, { adminId: claims.sub, sessionId: claims.sid, refreshJti: nextJti, amr, expiresAt: row.expires_at, authTime: row.auth_time }, now),
  );
}

async function me(request: Request, env: FloorEnv, key: Keys): Promise<Response> {
  const token = request.headers.get("authorization")?.slice("Bearer ".length) ?? "";
  const claims = await verify(key, "access", token);
  if (!claims) return new Response(null, { status: 401 });
  // KV and a nearby replica at once, as src/auth/current-admin.ts asks them.
  const [revoked, rows] = await Promise.all([
    env.REVOCATIONS.get(`revoked-session:${claims.sid}`),
    env.DB.withSession("first-unconstrained").prepare(FIND_SESSION_ADMIN).bind(claims.sid, claims.sub, 1).raw<unknown[]>(),
  ]);
  const [row] = rows;
  if (revoked !== null || !row) return new Response(null, { status: 401 });
  // The columns of FIND_SESSION_ADMIN, in order.
  const [id, email, name, role, , isActive, createdAt, , lastLoginAt, , totpSecret, , , , , passkeyOnly] = row as [
    string,
    string,
    string,
    string,
    string,
    number,
    number,
    number,
    number | null,
    string,
    string | null,
    string | null,
    number | null,
    number,
    string | null,
    number,
  ];
  const admin = { id, email, name, role, isActive, createdAt, totpSecret, passkeyOnly };
  return Response.json(user(admin, lastLoginAt), { headers: { "cache-control": "no-store" } });
}

async function route(request: Request, env: FloorEnv, pathname: string): Promise<Response> {
  if (pathname === "/health") return Response.json({ status: "ok" });
  keys ??= importKeys(env.JWT_SIGNING_KEYS);
  const key = await keys;
  if (request.method === "GET" && pathname === `${PREFIX}/me`) return me(request, env, key);
  if (request.method === "POST" && pathname === `${PREFIX}/refresh`) return refresh(request, env, key);
  if (request.method === "POST" && pathname === `${PREFIX}/login`) return login(request, env, key);
  return new Response(null, { status: 404 });
}

export default {
  async fetch(request, env) {
    const started = Date.now();
    const { pathname } = new URL(request.url);
    const response = await route(request, env, pathname);
    // The bench counts any failure as a broken run: no error codes to tell apart here.
    const outcome = response.ok ? "ok" : "internal";
    logRequest({
      requestId: request.headers.get("cf-ray"),
      method: request.method,
      route: pathname,
      status: response.status,
      durationMs: Date.now() - started,
      outcome,
    });
    return response;
  },
} satisfies ExportedHandler<FloorEnv>;
