import { app } from "./app.ts";
import { database } from "./db/client.ts";
import { purgeExpired } from "./maintenance/purge-expired.ts";
import { logError, logInfo } from "./observability/log.ts";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    try {
      logInfo("purge", { cron: controller.cron, ...(await purgeExpired(database(env.DB), controller.scheduledTime)) });
    } catch (error) {
      logError("purge failed", error, { cron: controller.cron });
      throw error;
    }
  },
} satisfies ExportedHandler<Env>;
