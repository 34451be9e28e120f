import { env } from "cloudflare:workers";

/**
 * The real D1 binding, except that its Sessions API handles
 * (`withSession`) read STALE_REPLICA, a second real local D1: a read
 * replica as far behind the primary as the test makes it, by copying rows
 * into it with `replicate` and then changing the primary. Writes through a
 * handle would land there too, unseen by the primary: src/ makes none.
 */
export function staleReplica(): D1Database {
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "withSession") return (constraint?: string) => env.STALE_REPLICA.withSession(constraint);
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** What a login reads of an email, by table: the admin (email matched as src/ does) and its throttle row. */
const ROWS_OF_AN_EMAIL = [
  { table: "admins", where: "lower(email) = lower(?)" },
  { table: "login_throttle", where: "email = lower(?)" },
] as const;

/**
 * The replica catches up with the primary on what a login reads of `email`
 * (and, for an admin, their recovery codes): it will serve the rows as they
 * are now, whatever the primary does next.
 */
export async function replicate(email: string): Promise<void> {
  for (const { table, where } of ROWS_OF_AN_EMAIL) await copyRows(table, where, email);
  const admin = await env.DB.prepare("SELECT id FROM admins WHERE lower(email) = lower(?)").bind(email).first<{ id: string }>();
  if (admin) await copyRows("recovery_codes", "admin_id = ?", admin.id);
}

/** The replica catches up with the primary on an admin's passkeys, as a passkey sign-in reads them. */
export async function replicatePasskeys(adminId: string): Promise<void> {
  await copyRows("admins", "id = ?", adminId);
  await copyRows("passkeys", "admin_id = ?", adminId);
}

async function copyRows(table: string, where: string, value: string): Promise<void> {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE ${where}`).bind(value).all<Record<string, unknown>>();
  const statements = [env.STALE_REPLICA.prepare(`DELETE FROM ${table} WHERE ${where}`).bind(value)];
  for (const row of results) {
    const columns = Object.keys(row);
    statements.push(
      env.STALE_REPLICA.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).bind(...Object.values(row)),
    );
  }
  await env.STALE_REPLICA.batch(statements);
}
