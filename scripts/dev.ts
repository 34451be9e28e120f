import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { countAdmins, createAdmin } from "../src/admins/admin-commands.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { commandContext } from "./lib/command-context.ts";
import { generateEncryptionKey } from "./lib/encryption-key.ts";
import { applyMigrations, withBindings } from "./lib/local-platform.ts";
import { generateSigningJwk } from "./lib/signing-key.ts";
import { WRANGLER } from "./lib/wrangler.ts";

const ROOT = join(import.meta.dirname, "..");
const DEV_VARS = join(ROOT, ".dev.vars");
const LOCAL_ADMIN_EMAIL = "admin@example.com";

/** Every argument goes to `wrangler dev`; `--persist-to` also decides where the local admin is made. */
const { values } = parseArgs({ args: process.argv.slice(2), options: { "persist-to": { type: "string" } }, strict: false });
const persistTo = typeof values["persist-to"] === "string" ? values["persist-to"] : undefined;

/** Local only (beside the local state, git-ignored): lets every `npm run dev` print the login again. */
const LOCAL_ADMIN_FILE = join(persistTo ?? join(ROOT, ".wrangler"), "local-admin.json");

/** The worker's secrets, each with a fresh local value for `.dev.vars`. */
const LOCAL_SECRETS = {
  JWT_SIGNING_KEYS: async () => [await generateSigningJwk()],
  MFA_ENCRYPTION_KEYS: async () => [generateEncryptionKey()],
};

/**
 * Adds each secret that `.dev.vars` lacks, keeping what the file already
 * holds (a file from before a secret existed keeps working). wrangler also
 * takes a declared secret from the environment; then the file needs none.
 */
async function ensureDevVars(): Promise<void> {
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const missing = Object.entries(LOCAL_SECRETS).filter(([name]) => !process.env[name] && !new RegExp(`^${name}=`, "m").test(existing));
  if (missing.length === 0) return;
  const lines = await Promise.all(missing.map(async ([name, generate]) => `${name}='${JSON.stringify(await generate())}'\n`));
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  writeFileSync(DEV_VARS, existing + separator + lines.join(""), { mode: 0o600 });
  const names = missing.map(([name]) => name).join(" and ");
  console.log(existing ? `Added a fresh local ${names} to .dev.vars` : `Created .dev.vars with a fresh local ${names}`);
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

await ensureDevVars();
applyMigrations({ remote: false, persistTo });
const admin = await ensureLocalAdmin();
console.log(
  admin
    ? `\nLocal admin (local database only):\n  email:    ${admin.email}\n  password: ${admin.password}\n`
    : "\nLocal admins already exist; `npm run admin -- list` shows them.\n",
);

const devServer = spawn(process.execPath, [WRANGLER, "dev", ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => devServer.kill(signal));
devServer.on("exit", (code) => process.exit(code ?? 0));
