import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { installProductionPbkdf2Cap } from "./support/production-pbkdf2-cap.ts";

// Setup files run before every test file; applyD1Migrations skips what is applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.STALE_REPLICA, env.TEST_MIGRATIONS);

// Every test runs under production's PBKDF2 limit, which local workerd does not enforce.
installProductionPbkdf2Cap();
