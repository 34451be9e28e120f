import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type AdminCommandContext,
  createAdmin,
  disableAdmin,
  enableAdmin,
  listAdmins,
  listPasskeys,
  readAuditLog,
  resetMfa,
  resetPasskeys,
  revokeSessions,
  setPassword,
} from "../src/admins/admin-commands.ts";
import { importAdmins } from "../src/admins/import-admins.ts";
import { commandContext } from "./lib/command-context.ts";
import { generateEncryptionKey } from "./lib/encryption-key.ts";
import { applyMigrations, type Target, withBindings } from "./lib/local-platform.ts";
import { readPassword } from "./lib/read-password.ts";
import { generateSigningJwk } from "./lib/signing-key.ts";
import { displayWidth, shown, visible } from "./lib/visible.ts";

const USAGE = `Usage: npm run admin -- <command> [--remote] [--env staging|production]
  create --email E --name N [--role R]   password from ADMIN_PASSWORD or a prompt
  set-password --email E                 password from ADMIN_PASSWORD or a prompt
  disable --email E | enable --email E
  revoke-sessions --email E
  mfa-reset --email E                    turn MFA off (lost device): password alone again, sessions revoked
  passkeys --email E                     list an admin's passkeys
  passkey-reset --email E                remove every passkey (lost device), passkey-only off, sessions revoked
  import --file admins.json               admins from the FastAPI service, with their password hashes
  list
  audit [--email E] [--limit N]          newest auth events first (default 50); attempts on
                                         unknown emails as an hourly count per client
  keys generate                          print a new ES256 private JWK for JWT_SIGNING_KEYS
  keys generate --mfa                    print a new AES-256 key for MFA_ENCRYPTION_KEYS`;

/** Bad usage: exit 2, as command-line tools do. */
class UsageError extends Error {}

type Command = (ctx: AdminCommandContext, flags: Flags, input: unknown) => Promise<string>;
type Flags = { email?: string; name?: string; role?: string; limit?: string; file?: string };

/** `read` runs before wrangler starts, so a mistyped file fails at once. */
const COMMANDS: Record<string, { required: (keyof Flags)[]; read?: (flags: Flags) => unknown; run: Command }> = {
  create: {
    required: ["email", "name"],
    run: async (ctx, flags) => {
      const admin = await createAdmin(ctx, {
        email: flags.email ?? "",
        name: flags.name ?? "",
        role: flags.role,
        password: await readPassword(shown`Password for ${flags.email}: `),
      });
      return shown`Created admin ${admin.email} (${admin.id}, role ${admin.role})`;
    },
  },
  "set-password": {
    required: ["email"],
    run: async (ctx, { email = "" }) => {
      const revoked = await setPassword(ctx, email, await readPassword(shown`New password for ${email}: `));
      return shown`Password changed for ${email}; ${revoked} session(s) revoked`;
    },
  },
  disable: {
    required: ["email"],
    run: async (ctx, { email = "" }) => shown`Disabled ${email}; ${await disableAdmin(ctx, email)} session(s) revoked`,
  },
  enable: {
    required: ["email"],
    run: async (ctx, { email = "" }) => {
      await enableAdmin(ctx, email);
      return shown`Enabled ${email}`;
    },
  },
  "revoke-sessions": {
    required: ["email"],
    run: async (ctx, { email = "" }) => shown`Revoked ${await revokeSessions(ctx, email)} session(s) of ${email}`,
  },
  "mfa-reset": {
    required: ["email"],
    run: async (ctx, { email = "" }) => {
      const { was, revoked } = await resetMfa(ctx, email);
      return shown`MFA reset for ${email} (was ${was}): the password alone logs in; ${revoked} session(s) revoked`;
    },
  },
  passkeys: {
    required: ["email"],
    run: async (ctx, { email = "" }) => {
      const listed = await listPasskeys(ctx, email);
      if (listed.length === 0) return shown`No passkeys for ${email}`;
      return formatTable(
        ["ID", "NAME", "CREATED", "LAST USED", "BACKED UP", "TRANSPORTS"],
        listed.map((passkey) => [
          passkey.id,
          passkey.name,
          new Date(passkey.createdAt).toISOString(),
          passkey.lastUsedAt === null ? "never" : new Date(passkey.lastUsedAt).toISOString(),
          passkey.backedUp ? "yes" : "no",
          passkey.transports.join(","),
        ]),
      );
    },
  },
  "passkey-reset": {
    required: ["email"],
    run: async (ctx, { email = "" }) => {
      const { removed, wasPasskeyOnly, revoked } = await resetPasskeys(ctx, email);
      const only = wasPasskeyOnly ? "passkey-only turned off, " : "";
      return shown`Passkeys reset for ${email}: ${removed} removed, ${only}the password logs in; ${revoked} session(s) revoked`;
    },
  },
  import: {
    required: ["file"],
    read: ({ file = "" }) => readImportFile(file),
    run: async (ctx, _, entries) => {
      const report = await importAdmins(ctx, entries);
      // Entries that exist already are the normal result of a re-run; invalid ones need the operator.
      if (report.skipped.some((skip) => skip.invalid)) process.exitCode = 1;
      return [
        `Imported ${report.imported.length} admin(s), skipped ${report.skipped.length}`,
        ...report.skipped.map(({ entry, email, reason }) => `  skipped entry ${entry}${email === null ? "" : shown` (${email})`}: ${visible(reason)}`),
      ].join("\n");
    },
  },
  list: {
    required: [],
    run: async (ctx) => {
      const admins = await listAdmins(ctx);
      if (admins.length === 0) return "No admins";
      return formatTable(
        ["ID", "EMAIL", "NAME", "ROLE", "ACTIVE", "MFA", "PASSKEYS", "CREATED", "LAST LOGIN", "PASSWORD HASH"],
        admins.map((admin) => [
          admin.id,
          admin.email,
          admin.name,
          admin.role,
          admin.is_active ? "yes" : "no",
          admin.mfa,
          admin.passkey_only ? `${admin.passkeys} only` : String(admin.passkeys),
          admin.created_at,
          admin.last_login_at ?? "never",
          admin.password_scheme,
        ]),
      );
    },
  },
  audit: {
    required: [],
    run: async (ctx, { email, limit = "50" }) => {
      if (!/^[1-9][0-9]{0,5}$/.test(limit)) throw new UsageError("--limit must be a whole number from 1 to 999999");
      const events = await readAuditLog(ctx, { email, limit: Number(limit) });
      if (events.length === 0) return "No audit events";
      return formatTable(
        ["TIME", "EVENT", "REASON", "COUNT", "REFUSED", "EMAIL", "ADMIN", "SESSION", "IP", "COLO", "USER AGENT"],
        events.map((event) => [
          new Date(event.at).toISOString(),
          event.event,
          event.reason ?? "",
          // A client's hourly tally of attempts on unknown emails stands for this many; one event, for itself.
          event.count === null ? "" : String(event.count),
          // Attempts a lockout refused are counted on its row, not written one by one.
          event.event === "login_locked_out" ? String(event.refusedAttempts) : "",
          event.email ?? "",
          event.adminId ?? "",
          event.sessionId ?? "",
          event.ip ?? "",
          event.colo ?? "",
          event.userAgent ?? "",
        ]),
      );
    },
  },
};

function readImportFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(entries)) throw new Error(`${path} must hold a JSON array of admins`);
  return entries;
}

/** Every cell is a value from storage: it is shown, never obeyed, by the terminal (see `visible`). */
function formatTable(header: string[], rows: string[][]): string {
  const table = [header, ...rows.map((row) => row.map(visible))];
  // Columns by what a terminal shows, not UTF-16 units: a value full of combining marks must not push the cells after it under the wrong header.
  const widths = header.map((_, column) => Math.max(...table.map((row) => displayWidth(row[column] ?? ""))));
  return table
    .map((row) =>
      row
        .map((cell, column) => cell + " ".repeat((widths[column] ?? 0) - displayWidth(cell)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function main(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      limit: { type: "string" },
      file: { type: "string" },
      mfa: { type: "boolean", default: false },
      remote: { type: "boolean", default: false },
      env: { type: "string" },
      "persist-to": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [name, ...extra] = positionals;
  if (values.help || !name) return USAGE;
  if (name === "keys") {
    if (extra.join(" ") !== "generate") throw new UsageError('Unknown keys command; use "keys generate [--mfa]"');
    return JSON.stringify(values.mfa ? generateEncryptionKey() : await generateSigningJwk());
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`Unknown command "${name}"`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  const missing = command.required.find((flag) => !values[flag]);
  if (missing) throw new UsageError(`${name} needs --${missing}`);

  const input = command.read?.(values);
  // wrangler takes the name as given and echoes it in its errors.
  if (values.env !== undefined && !/^[A-Za-z0-9_-]+$/.test(values.env)) throw new UsageError("--env takes an environment name of wrangler.toml, like staging");
  const target: Target = { remote: values.remote, environment: values.env, persistTo: values["persist-to"] };
  applyMigrations(target);
  return withBindings(target, (env) => command.run(commandContext(env), values, input));
}

try {
  console.log(await main(process.argv.slice(2)));
} catch (error) {
  // One line, no stack: an operator error is not a crash.
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"));
  // Messages echo what they were given: a file, argv, a stored value.
  console.error(`error: ${visible(message)}${usage ? " (npm run admin -- --help)" : ""}`);
  process.exitCode = usage ? 2 : 1;
}
