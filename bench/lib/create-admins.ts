/**
 * Run as a child process by the bench (`node bench/lib/create-admins.ts
 * --persist-to DIR`, the admins as JSON in BENCH_ADMINS so no password is in
 * argv): creates the bench admins in the throwaway local D1 the way
 * `npm run dev` creates its local admin — the operator commands' `createAdmin`
 * through the worker's own bindings — so each stored hash is what production
 * stores (PBKDF2-SHA256 at the configured iterations). All of them in one
 * process: `scripts/admin.ts create` once per admin would start wrangler twice
 * per admin.
 */
import { parseArgs } from "node:util";
import { commandContext } from "../../scripts/lib/command-context.ts";
import { withBindings } from "../../scripts/lib/local-platform.ts";
import { createAdmin } from "../../src/admins/admin-commands.ts";

interface BenchAdmin {
  email: string;
  password: string;
}

const { values } = parseArgs({ options: { "persist-to": { type: "string" } } });
const persistTo = values["persist-to"];
if (!persistTo) throw new Error("--persist-to is required");
const admins = JSON.parse(process.env.BENCH_ADMINS ?? "[]") as BenchAdmin[];
if (admins.length === 0) throw new Error("BENCH_ADMINS lists no admins");

await withBindings({ remote: false, persistTo }, async (env) => {
  const ctx = commandContext(env);
  for (const [index, admin] of admins.entries()) {
    await createAdmin(ctx, { ...admin, name: `Bench Admin ${index + 1}`, role: "admin" });
  }
});
console.log(`created ${admins.length} bench admin(s)`);
