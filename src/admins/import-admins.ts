import type { BatchItem } from "drizzle-orm/batch";
import * as z from "zod/mini";
import { auditIfChanged } from "../audit/audit-log.ts";
import { PBKDF2_MAX_ITERATIONS } from "../config/config.ts";
import { admins } from "../db/schema.ts";
import { KEY_BYTES, MAX_SALT_BYTES } from "../passwords/phc.ts";
import { BCRYPT_MAX_COST, type HashProblem, readStoredHash } from "../passwords/stored-hash.ts";
import { emailKey } from "../throttle/login-throttle.ts";
import { validateEmail } from "../wire/email-address/email-str.ts";
import type { AdminCommandContext } from "./admin-commands.ts";

/** One admin as the FastAPI service's `admins` table exports it. */
const ImportedAdmin = z.object({
  email: z.string(),
  name: z.string().check(z.trim(), z.minLength(1, "name must not be empty")),
  role: z._default(z.string().check(z.trim(), z.minLength(1, "role must not be empty")), "admin"),
  is_active: z._default(z.boolean(), true),
  password_hash: z.string(),
});

export interface ImportReport {
  imported: string[];
  /** `entry` counts from 1, as an operator reads the file. */
  skipped: { entry: number; email: string | null; reason: string; invalid: boolean }[];
}

/**
 * Two statements per admin. D1 runs a batch as one transaction; bounded
 * batches keep one bad moment from rolling back a whole large import (a re-run
 * picks up where it stopped) and stay under 50 statements, the Workers Free
 * plan's D1 queries per invocation.
 */
const ROWS_PER_BATCH = 20;

/**
 * Loads admins with the hashes they already have, so nobody needs a password
 * reset: passlib and bcrypt hashes are checked on each admin's next login and
 * replaced by our own there. Idempotent: an email that exists is skipped, so
 * a re-run after a partial failure imports only what is missing.
 */
export async function importAdmins(ctx: AdminCommandContext, entries: unknown): Promise<ImportReport> {
  if (!Array.isArray(entries)) throw new TypeError("The import file must hold a JSON array of admins");
  const report: ImportReport = { imported: [], skipped: [] };
  const rows: (NewAdminRow & { entry: number })[] = [];
  const seen = new Map<string, number>();
  for (const [index, input] of entries.entries()) {
    const entry = index + 1;
    const checked = checkEntry(input, ctx.now);
    const first = checked.ok ? seen.get(emailKey(checked.row.email)) : undefined;
    if (!checked.ok) report.skipped.push({ entry, email: checked.email, reason: checked.reason, invalid: true });
    else if (first !== undefined) report.skipped.push({ entry, email: checked.row.email, reason: `same email as entry ${first}`, invalid: true });
    else {
      seen.set(emailKey(checked.row.email), entry);
      rows.push({ entry, ...checked.row });
    }
  }

  try {
    for (let start = 0; start < rows.length; start += ROWS_PER_BATCH) {
      const chunk = rows.slice(start, start + ROWS_PER_BATCH);
      const statements = chunk.flatMap(({ entry, ...row }): BatchItem<"sqlite">[] => [
        ctx.db.insert(admins).values(row).onConflictDoNothing().returning({ email: admins.email }),
        auditIfChanged(ctx.db, ctx.now, ctx.origin, { event: "admin_imported", email: emailKey(row.email), adminId: row.id }),
      ]);
      const results = (await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[][];
      chunk.forEach((row, i) => {
        if (results[i * 2]?.length) report.imported.push(row.email);
        else report.skipped.push({ entry: row.entry, email: row.email, reason: "an admin with this email already exists", invalid: false });
      });
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Import stopped after ${report.imported.length} admin(s) (${reason}); run it again with the same file to import the rest`, {
      cause: error,
    });
  }
  report.skipped.sort((a, b) => a.entry - b.entry);
  return report;
}

type NewAdminRow = typeof admins.$inferInsert;

type CheckedEntry = { ok: true; row: NewAdminRow } | { ok: false; email: string | null; reason: string };

function checkEntry(input: unknown, now: number): CheckedEntry {
  const parsed = z.safeParse(ImportedAdmin, input);
  if (!parsed.success) return { ok: false, email: emailOf(input), reason: describeIssue(input, parsed.error.issues[0]) };
  const { email, name, role, is_active, password_hash } = parsed.data;
  const validated = validateEmail(email);
  if (!validated.ok) return { ok: false, email, reason: `invalid email: ${validated.reason}` };
  const problem = hashProblem(password_hash);
  if (problem) return { ok: false, email: validated.normalized, reason: problem };
  return {
    ok: true,
    row: {
      id: crypto.randomUUID(),
      email: validated.normalized,
      name,
      role,
      passwordHash: password_hash,
      isActive: is_active,
      createdAt: now,
      updatedAt: now,
    },
  };
}

function hashProblem(passwordHash: string): string | null {
  const reading = readStoredHash(passwordHash);
  return reading.usable ? null : describeHashProblem(reading.problem);
}

function describeHashProblem(problem: HashProblem): string {
  switch (problem.kind) {
    case "unknown_scheme":
      return "password_hash is not a PBKDF2-SHA256 (ours or passlib's) or bcrypt hash";
    case "bcrypt_2x":
      return "password_hash is a $2x$ bcrypt hash (crypt_blowfish's sign-extension bug), which no current library writes";
    case "bcrypt_shape":
      return "password_hash is not a bcrypt hash's exact 60-character form ($2b$, two cost digits, $, 53 characters)";
    case "bcrypt_cost":
      return `bcrypt cost ${problem.cost} is above ${BCRYPT_MAX_COST}: too slow to check within a Worker's CPU limit`;
    case "digest_length":
      return `password_hash has a PBKDF2-SHA256 digest of ${problem.bytes} byte(s): passlib and this service make ${KEY_BYTES}`;
    case "salt_length":
      return `password_hash has a salt of ${problem.bytes} byte(s): passlib allows 1 to ${MAX_SALT_BYTES}`;
    case "rounds":
      return `PBKDF2 rounds ${problem.rounds} are above the ${PBKDF2_MAX_ITERATIONS} Cloudflare's runtime allows`;
  }
}

function emailOf(input: unknown): string | null {
  return typeof input === "object" && input !== null && "email" in input && typeof input.email === "string" ? input.email : null;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue | undefined): string {
  const [field] = issue?.path ?? [];
  if (!issue || typeof input !== "object" || input === null || field === undefined) return "not an admin object";
  if (issue.code !== "invalid_type") return issue.message;
  const missing = (input as Record<PropertyKey, unknown>)[field] === undefined;
  return missing ? `${String(field)} is missing` : `${String(field)} must be a ${issue.expected}`;
}
