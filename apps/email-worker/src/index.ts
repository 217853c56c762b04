import { createDbClient } from "@fluxnotify/db";
import { loadUserSettings } from "@fluxnotify/db/settings-lookup";
import { runChannelWorker } from "@fluxnotify/shared/delivery";
import { exitOnStartupError } from "@fluxnotify/shared/service";
import { checkEmailTemplates, createEmailRenderer } from "./email-renderer";
import { loadWorkerEnv } from "./env";
import { createSmtpTransport, emailStrategy } from "./strategy";

const NAME = "email-worker";

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  // Before anything connects: a template that cannot be compiled stops the worker here.
  await checkEmailTemplates();
  const renderer = createEmailRenderer();
  await runChannelWorker(NAME, env, ({ shutdown, redis, logger }) => {
    const database = createDbClient(env.DATABASE_URL, { max: env.DATABASE_POOL_MAX, applicationName: NAME });
    shutdown.register("postgres", () => database.close());
    const settingsDeps = { sql: database.sql, redis, logger, ttlSeconds: env.SETTINGS_CACHE_TTL_SECONDS };
    const transport = createSmtpTransport({
      url: env.SMTP_URL,
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      user: env.SMTP_USER,
      pass: env.SMTP_PASS,
      secure: env.SMTP_SECURE,
      poolSize: env.SMTP_POOL_SIZE,
      maxMessagesPerConnection: env.SMTP_MAX_MESSAGES_PER_CONNECTION,
      timeoutMs: env.SMTP_TIMEOUT_MS,
      from: env.MAIL_FROM,
    });
    shutdown.register("smtp pool", () => transport.close());
    return emailStrategy(transport, {
      from: env.MAIL_FROM,
      renderer,
      currentSettings: (tenantId, userId) => loadUserSettings(settingsDeps, tenantId, userId),
    });
  });
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
