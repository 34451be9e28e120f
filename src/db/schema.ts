import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are Unix epoch milliseconds: comparable in SQL, exact in ISO-8601 output. */
export const admins = sqliteTable(
  "admins",
  {
    id: text("id").primaryKey(),
    /** As pydantic's EmailStr normalises it: trimmed, domain lower-cased. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role").notNull().default("admin"),
    /** A PHC string (`$pbkdf2-sha256$i=…`), never the password. */
    passwordHash: text("password_hash").notNull(),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastLoginAt: integer("last_login_at"),
    /**
     * A random value replaced by every change of the admin's credentials (MFA
     * enrolment, disable, reset; password; disabling). A multi-statement D1
     * batch sets a fresh one only if it still sees the old one, and its other
     * statements run only if the fresh one is there: the whole change commits
     * as one decision, and a concurrent change makes it a no-op.
     */
    securityStamp: text("security_stamp").notNull().default(""),
    /** The active TOTP secret, AES-256-GCM under `MFA_ENCRYPTION_KEYS` (see mfa/secret-box.ts); null when MFA is off. */
    totpSecret: text("totp_secret"),
    /** A secret from `setup` that `confirm` has not yet proven, encrypted the same way. */
    totpPendingSecret: text("totp_pending_secret"),
    /**
     * Which TOTP time steps were accepted lately, so each is accepted once
     * (RFC 6238 §5.2): the highest, and in `totpEarlierSteps` a bit for each
     * of the two before it (bit 0: one step earlier). A code is accepted for
     * one step either side of now, so no older step can be presented again.
     */
    totpLastStep: integer("totp_last_step"),
    totpEarlierSteps: integer("totp_earlier_steps").notNull().default(0),
    /**
     * The WebAuthn user handle (`user.id`): 16+ random bytes as base64url, the
     * same for all the admin's passkeys and never the email or `id`, so an
     * authenticator's list of accounts reveals nothing. Set by the first
     * registration that succeeds.
     */
    webauthnUserId: text("webauthn_user_id").unique(),
    /** When on, a password cannot sign the admin in: only a passkey can. */
    passkeyOnly: integer("passkey_only", { mode: "boolean" }).notNull().default(false),
  },
  (table) => [uniqueIndex("admins_email_lower_unique").on(sql`lower(${table.email})`)],
);

/** An admin's registered passkeys (WebAuthn credentials). Only public material: there is no private key server-side. */
export const passkeys = sqliteTable(
  "passkeys",
  {
    /** An opaque random id: what the API calls a passkey's `id` (never the credential id). */
    id: text("id").primaryKey(),
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    /** base64url, exactly as the authenticator's `response.id`; unique across admins. */
    credentialId: text("credential_id").notNull().unique(),
    /** base64url of the COSE public key. */
    publicKey: text("public_key").notNull(),
    /** The last signature counter seen; 0 for authenticators that keep none (synced passkeys). */
    counter: integer("counter").notNull(),
    /** JSON array of the transports the browser reported, handed back in `allowCredentials`-style hints. */
    transports: text("transports").notNull().default("[]"),
    aaguid: text("aaguid").notNull(),
    /** The BS flag: the passkey is synced (backed up) by its provider. */
    backedUp: integer("backed_up", { mode: "boolean" }).notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (table) => [uniqueIndex("passkeys_admin_id_name_unique").on(table.adminId, table.name)],
);

/**
 * WebAuthn challenges already used. Challenges are signed and stateless, so
 * issuing one writes nothing; the verify that uses one inserts its hash in
 * its decision batch, and a second use finds the row. Kept until expiry.
 */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    /** SHA-256 of the challenge bytes, base64url. */
    challengeHash: text("challenge_hash").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [index("webauthn_challenges_expires_at").on(table.expiresAt)],
);

/**
 * One-time codes for an admin who lost the authenticator. Only a SHA-256 of
 * each is kept: a code has 80 bits of randomness, beyond brute force, so it
 * needs no slow hash.
 */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
  },
  (table) => [primaryKey({ columns: [table.adminId, table.codeHash] })],
);

/**
 * One row per login. D1 is the authority on a session's state; the KV copy of a
 * revocation only lets the edge refuse early.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    /** The `sid` claim of every token issued for this login. */
    id: text("id").primaryKey(),
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    /** `jti` of the only refresh token that may rotate this session. */
    refreshJti: text("refresh_jti").notNull(),
    /** The `jti` it replaced, kept to tell a racing client from a replay. */
    previousRefreshJti: text("previous_refresh_jti"),
    rotatedAt: integer("rotated_at"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    /** When the current refresh token expires: the session dies with it. */
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** How the admin logged in: RFC 8176 method names as a JSON array, copied into every token of the session. */
    amr: text("amr").notNull().default('["pwd"]'),
    /**
     * When the admin signed in to open this session (epoch ms): the tokens'
     * `auth_time` (RFC 9470). Null for sessions opened before it was kept,
     * which count as old for step-up.
     */
    authTime: integer("auth_time"),
    /** The passkey that signed this session in, if one did: removing it revokes the session. */
    passkeyId: text("passkey_id"),
  },
  (table) => [index("sessions_admin_id").on(table.adminId), index("sessions_expires_at").on(table.expiresAt)],
);

export type AdminRow = typeof admins.$inferSelect;

/**
 * Consecutive login failures per email, whether or not an admin has it, so a
 * lockout says nothing about who exists. Counted by one atomic upsert. A run
 * idle for the failure-run window (login-throttle.ts) is over: its row is
 * purged, and counted from 1 again if an attempt comes first.
 */
export const loginThrottle = sqliteTable(
  "login_throttle",
  {
    /** Lower-cased, as emails are matched. */
    email: text("email").primaryKey(),
    failures: integer("failures").notNull(),
    lockedUntil: integer("locked_until"),
    lastFailureAt: integer("last_failure_at").notNull(),
    /** When the lock in force was set: the `at` of its `login_locked_out` audit row, which counts what it refuses. */
    lockedAt: integer("locked_at"),
    /** Attempts the lock in force has refused, kept here until its audit row exists. */
    refusedAttempts: integer("refused_attempts").notNull().default(0),
  },
  (table) => [index("login_throttle_last_failure_at").on(table.lastFailureAt)],
);

/**
 * Failed logins for emails no admin has, and failed passkey sign-ins, counted
 * per client and hour rather than logged one row each: such a failure proves
 * nothing about anyone, and a row per attempt (an email, a User-Agent, kept a
 * year) would let anyone fill D1 by trying new emails or assertions. Bounded by clients and time, never by the emails
 * tried. A table of its own rather than counting rows in `audit_events`: its
 * key is (client, hour) where an audit row's is one event, and a primary key
 * is a plain upsert target, where a partial unique index on `audit_events`
 * would have to be restated by every upsert and would not hold for a client
 * with no address (NULLs never conflict). `npm run admin -- audit` shows these
 * rows among the events.
 */
export const unknownEmailAttempts = sqliteTable(
  "unknown_email_attempts",
  {
    /** An IPv4 address, an IPv6 client's /48 (the per-site login limit's key), or `unknown` with no parsable address. */
    client: text("client").notNull(),
    /** Start of the hour counted, epoch ms. */
    hour: integer("hour").notNull(),
    /** Failed logins (each counted, then refused by the password check). */
    failures: integer("failures").notNull().default(0),
    /** Of those, how many locked their email (what `login_locked_out` records for an admin's email). */
    lockouts: integer("lockouts").notNull().default(0),
    /** Attempts refused by the lock on an email no admin has, without a password check. */
    refusedAttempts: integer("refused_attempts").notNull().default(0),
    /**
     * Failed passkey sign-ins (`Invalid passkey`), whoever's passkey they
     * named: like an unknown email they prove nothing, and no lockout bounds
     * them per admin (a passkey sign-in must not be lockable by password
     * guessing), so a row each would grow with the attempts.
     */
    passkeyFailures: integer("passkey_failures").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.client, table.hour] })],
);

/** What `audit_events.event` holds (a type only: nothing in the worker needs the list at run time). */
export type AuditEvent =
  | "login_succeeded"
  | "login_failed"
  | "login_locked_out"
  | "refresh"
  | "refresh_reuse_detected"
  | "logout"
  | "sessions_revoked"
  | "password_changed"
  | "password_change_failed"
  | "admin_imported"
  | "mfa_setup_started"
  | "mfa_enabled"
  | "mfa_disabled"
  | "mfa_reset"
  | "mfa_recovery_code_used"
  | "mfa_code_rejected"
  | "passkey_registered"
  | "passkey_renamed"
  | "passkey_removed"
  | "passkey_reset"
  | "passkey_only_enabled"
  | "passkey_only_disabled"
  | "passkey_counter_regressed"
  | "reauth_required";

/**
 * Every auth event, written in the same D1 batch as the change it records, so
 * the log and the state cannot disagree. Never a password or a token.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    event: text("event").$type<AuditEvent>().notNull(),
    /** Why a login failed, or why sessions were revoked. */
    reason: text("reason"),
    email: text("email"),
    adminId: text("admin_id"),
    sessionId: text("session_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** The Cloudflare data center that served the request. */
    colo: text("colo"),
    /**
     * On a `login_locked_out` row: how many attempts the lockout refused. A
     * locked email's attempts are counted here, not each given a row, so
     * hammering one costs no storage.
     */
    refusedAttempts: integer("refused_attempts").notNull().default(0),
  },
  (table) => [index("audit_events_at").on(table.at), index("audit_events_email").on(table.email)],
);
