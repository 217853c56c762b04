import { runChannelWorker } from "@fluxnotify/shared/delivery";
import { exitOnStartupError } from "@fluxnotify/shared/service";
import { loadWorkerEnv } from "./env";
import { slackStrategy } from "./strategy";

const NAME = "slack-worker";

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  await runChannelWorker(NAME, env, ({ shutdown, logger }) => {
    const strategy = slackStrategy({
      allowedHosts: env.SLACK_ALLOWED_HOSTS,
      allowInsecureLoopback: env.SLACK_ALLOW_INSECURE_LOOPBACK,
      timeoutMs: env.SLACK_TIMEOUT_MS,
    });
    shutdown.register("http agents", () => strategy.close());
    logger.info({ allowedHosts: env.SLACK_ALLOWED_HOSTS }, "slack webhook allow-list");
    return strategy;
  });
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
