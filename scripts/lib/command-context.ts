import { type AdminCommandContext, OPERATOR_ORIGIN } from "../../src/admins/admin-commands.ts";
import { parsePbkdf2Iterations } from "../../src/config/config.ts";
import { database } from "../../src/db/client.ts";

/** The admin commands' dependencies, from the worker's own bindings and password policy. */
export function commandContext(env: Env): AdminCommandContext {
  return {
    db: database(env.DB),
    kv: env.REVOCATIONS,
    origin: OPERATOR_ORIGIN,
    now: Date.now(),
    pbkdf2Iterations: parsePbkdf2Iterations(env.PBKDF2_ITERATIONS),
  };
}
