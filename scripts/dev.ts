import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { countAdmins, createAdmin } from "../src/admins/admin-commands.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { commandContext } from "./lib/command-context.ts";
import { generateEncryptionKey } from "./lib/encryption-key.ts";
import { localOriginFlags } from "./lib/local-origin.ts";
import { applyMigrations, withBindings } from "./lib/local-platform.ts";
import { generateSigningJwk } from "./lib/signing-key.ts";
import { checkConfigAtStart, devVars, type VarFlags, varFlags } from "./lib/worker-vars.ts";
import { WRANGLER } from "./lib/wrangler.ts";

const ROOT = join(import.meta.dirname, "..");
const LOCAL_ADMIN_EMAIL = "admin@example.com";

/**
 * Every argument goes to `wrangler dev`; `--persist-to` also decides where the
 * local admin is made, and the config, environment and `--var` flags what the
 * worker's configuration is checked on.
 */
const args = process.argv.slice(2);
const { values } = parseArgs({ args, options: { "persist-to": { type: "string" } }, strict: false });
const persistTo = typeof values["persist-to"] === "string" ? values["persist-to"] : undefined;

/** Local only (beside the local state, git-ignored): lets every `npm run dev` print the login again. */
const LOCAL_ADMIN_FILE = join(persistTo ?? join(ROOT, ".wrangler"), "local-admin.json");

/** The worker's secrets, each with a fresh local value for `.dev.vars`. */
const LOCAL_SECRETS = {
  JWT_SIGNING_KEYS: async () => [await generateSigningJwk()],
  MFA_ENCRYPTION_KEYS: async () => [generateEncryptionKey()],
};

/** The file wrangler reads local vars and secrets from, beside the config; `--env-file` replaces it. */
function devVarsFile(flags: VarFlags): string | undefined {
  if (flags.envFiles) return undefined;
  const path = join(dirname(flags.configPath), ".dev.vars");
  const forEnvironment = flags.environment === undefined ? undefined : `${path}.${flags.environment}`;
  return forEnvironment && existsSync(forEnvironment) ? forEnvironment : path;
}

/**
 * Adds each secret that the file lacks, keeping what it already holds (a file
 * from before a secret existed keeps working). Without the file, wrangler
 * takes declared secrets from the environment; once it exists, from the file
 * alone, so an environment that holds only some of them still needs it.
 */
async function ensureDevVars(path: string): Promise<void> {
  const exists = existsSync(path);
  if (!exists && Object.keys(LOCAL_SECRETS).every((name) => process.env[name])) return;
  const existing = exists ? readFileSync(path, "utf8") : "";
  const missing = Object.entries(LOCAL_SECRETS).filter(([name]) => !new RegExp(`^${name}=`, "m").test(existing));
  if (missing.length === 0) return;
  const lines = await Promise.all(missing.map(async ([name, generate]) => `${name}='${JSON.stringify(await generate())}'\n`));
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  writeFileSync(path, existing + separator + lines.join(""), { mode: 0o600 });
  const names = missing.map(([name]) => name).join(" and ");
  const file = relative(process.cwd(), path);
  console.log(exists ? `Added a fresh local ${names} to ${file}` : `Created ${file} with a fresh local ${names}`);
}

interface LocalAdmin {
  email: string;
  password: string;
}

async function ensureLocalAdmin(): Promise<LocalAdmin | null> {
  return withBindings({ remote: false, persistTo }, async (env) => {
    const ctx = commandContext(env);
    if ((await countAdmins(ctx.db)) > 0) {
      return existsSync(LOCAL_ADMIN_FILE) ? (JSON.parse(readFileSync(LOCAL_ADMIN_FILE, "utf8")) as LocalAdmin) : null;
    }
    const admin = { email: LOCAL_ADMIN_EMAIL, password: encodeBase64Url(crypto.getRandomValues(new Uint8Array(18))) };
    await createAdmin(ctx, { ...admin, name: "Local Admin", role: "admin" });
    mkdirSync(join(LOCAL_ADMIN_FILE, ".."), { recursive: true });
    writeFileSync(LOCAL_ADMIN_FILE, JSON.stringify(admin), { mode: 0o600 });
    return admin;
  });
}

const flags = varFlags(args);
const devVarsPath = devVarsFile(flags);
if (devVarsPath) await ensureDevVars(devVarsPath);
// Appended: wrangler's `--var` takes every word after it, so nothing of the developer's may follow it.
const wranglerArgs = [...args, ...(await localOriginFlags(args, devVarsPath && existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : ""))];
// Before anything is migrated or served: a bad variable stops here with its name, not at the first request.
await checkConfigAtStart(() => devVars(varFlags(wranglerArgs)), "all");
applyMigrations({ remote: false, persistTo });
const admin = await ensureLocalAdmin();
console.log(
  admin
    ? `\nLocal admin (local database only):\n  email:    ${admin.email}\n  password: ${admin.password}\n`
    : "\nLocal admins already exist; `npm run admin -- list` shows them.\n",
);

const devServer = spawn(process.execPath, [WRANGLER, "dev", ...wranglerArgs], {
  cwd: ROOT,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => devServer.kill(signal));
devServer.on("exit", (code) => process.exit(code ?? 0));
