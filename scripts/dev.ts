import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { countAdmins, createAdmin } from "../src/admins/admin-commands.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { commandContext } from "./lib/command-context.ts";
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

/** wrangler also takes a declared secret from the environment; then no file is needed. */
async function ensureDevVars(): Promise<void> {
  if (process.env.JWT_SIGNING_KEYS) return;
  if (existsSync(DEV_VARS) && readFileSync(DEV_VARS, "utf8").includes("JWT_SIGNING_KEYS=")) return;
  const key = await generateSigningJwk();
  writeFileSync(DEV_VARS, `JWT_SIGNING_KEYS='${JSON.stringify([key])}'\n`, { mode: 0o600 });
  console.log(`Created .dev.vars with a fresh local signing key (kid ${key.kid})`);
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
