import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
  },
  (table) => [uniqueIndex("admins_email_lower_unique").on(sql`lower(${table.email})`)],
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
  },
  (table) => [index("sessions_admin_id").on(table.adminId), index("sessions_expires_at").on(table.expiresAt)],
);

export type AdminRow = typeof admins.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
