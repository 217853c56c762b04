// The demo: shows every channel working on a running platform (bin/dev), from a fresh
// database. It sets its user up as a product would (PUT settings through query-api: an email
// address and a Slack webhook on the local stand-in), publishes a small FluxPay story to
// Kafka, waits until the history API shows SENT for each notification, and prints what to
// open to see each one. Safe to run again: new ids every run, and the same settings PUT.
//   bin/demo                                  (or pnpm --filter @fluxnotify/ingest-worker demo)
// Configuration: env.ts (the e2e suite points it at its private platform).
import { devTokenSigner, readToken, TokenSigningRefused } from "@fluxnotify/shared/dev-token";
import { ConfigError } from "@fluxnotify/shared/errors";
import { createProducer, waitForKafka } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { DemoError } from "./demo-error";
import { type DemoEnv, loadDemoEnv } from "./env";
import { whereToLook } from "./printout";
import { queryApi } from "./query-api";
import { fluxpayStory, type StoryEvent } from "./story";
import { waitUntilSent } from "./wait";

const say = (line: string) => console.log(`==> ${line}`);

/** Who the demo acts for, and the token it does so with. */
async function identity(env: DemoEnv) {
  if (env.DEMO_TOKEN) {
    let named: { userId: string; tenantId: string };
    try {
      named = readToken(env.DEMO_TOKEN);
    } catch (error) {
      throw new DemoError(`DEMO_TOKEN: ${(error as Error).message}`);
    }
    for (const [variable, value, claim] of [
      ["DEMO_USER", env.DEMO_USER, named.userId],
      ["DEMO_TENANT", env.DEMO_TENANT, named.tenantId],
    ] as const)
      if (value !== undefined && value !== claim)
        throw new DemoError(`${variable}=${value} but DEMO_TOKEN is ${claim}'s: leave ${variable} unset`);
    return { ...named, token: env.DEMO_TOKEN, minted: false };
  }
  const userId = env.DEMO_USER ?? "user-1";
  const tenantId = env.DEMO_TENANT ?? "tenant-a";
  try {
    const token = await devTokenSigner(env).sign({ userId, tenantId, ttl: "1h" });
    return { userId, tenantId, token, minted: true };
  } catch (error) {
    if (!(error instanceof TokenSigningRefused)) throw error;
    throw new DemoError(`${error.message}; to run the demo there, set DEMO_TOKEN to the demo user's JWT`);
  }
}

async function publish(env: DemoEnv, events: StoryEvent[]): Promise<void> {
  const connection = { brokers: env.KAFKA_BROKERS, clientId: "fluxnotify-demo" };
  try {
    await waitForKafka(connection, 5_000);
  } catch {
    throw new DemoError(
      `Kafka not reachable at ${env.KAFKA_BROKERS.join(",")}: is bin/dev running? (or set KAFKA_BROKERS)`,
    );
  }
  const producer = createProducer({
    connection,
    logger: createLogger({ name: "demo", level: "warn" }),
    registry: createMetricsRegistry("demo"),
  });
  try {
    await producer.send(events.map((event) => event.message));
  } finally {
    await producer.close();
  }
}

/** A browser's subscription from the push stand-in (it keeps the keys to decrypt with). */
async function newBrowser(
  url: string,
): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as Error).message;
    throw new DemoError(
      `push stand-in not reachable at ${url} (${code}): is bin/dev running? (or set DEMO_PUSH_BROWSER_URL=none)`,
    );
  }
  if (!response.ok) throw new DemoError(`push stand-in at ${url} answered ${response.status}`);
  return (await response.json()) as { endpoint: string; keys: { p256dh: string; auth: string } };
}

async function main(): Promise<void> {
  const env = loadDemoEnv();
  const { userId, tenantId, token, minted } = await identity(env);
  const email = env.DEMO_EMAIL ?? `${userId}@example.com`;
  const api = queryApi(env.QUERY_API_URL, token);

  await api.ready();
  await api.saveSettings({ email, slackWebhookUrl: env.DEMO_SLACK_WEBHOOK_URL });
  const webhook = env.DEMO_SLACK_WEBHOOK_URL ? "own Slack webhook" : "no Slack webhook of their own";
  say(`${userId} of ${tenantId}: settings saved (email ${email}, ${webhook}, every channel on)`);

  const browser = env.DEMO_PUSH_BROWSER_URL ? await newBrowser(env.DEMO_PUSH_BROWSER_URL) : undefined;
  if (browser) {
    await api.registerBrowser(browser);
    say(`${userId}'s browser registered for push (${new URL(browser.endpoint).host}, the stand-in)`);
  }

  const story = fluxpayStory(tenantId, userId);
  // Without a browser PUSH ends SKIPPED (no device): nothing to wait for.
  const channels = env.DEMO_CHANNELS.filter((channel) => channel !== "PUSH" || browser);
  const awaited = story.expected.filter((expected) => channels.includes(expected.channel));
  const skipped = [...new Set(story.expected.map((e) => e.channel))].filter((c) => !channels.includes(c));
  await publish(env, story.events);
  say(
    `published to ${env.KAFKA_BROKERS.join(",")}: ${story.events.map((event) => event.summary).join(", ")}`,
  );

  say(`waiting for the history to show SENT for each notification (up to ${env.DEMO_TIMEOUT_MS / 1000} s)`);
  const delivered = await waitUntilSent(api, awaited, {
    timeoutMs: env.DEMO_TIMEOUT_MS,
    report: (line) => console.log(`    ${line}`),
  });

  console.log(
    whereToLook({
      tenantId,
      userId,
      email,
      slackWebhookUrl: env.DEMO_SLACK_WEBHOOK_URL,
      pushUiUrl: browser ? env.DEMO_PUSH_UI_URL : undefined,
      skipped,
      mailUiUrl: env.DEMO_MAIL_UI_URL,
      queryApiUrl: env.QUERY_API_URL,
      redisUrl: env.REDIS_URL,
      inAppPrefix: env.INAPP_CHANNEL_PREFIX,
      tokenForCurl: minted ? token : "$DEMO_TOKEN",
      minted,
      delivered,
    }),
  );
}

main().catch((error: unknown) => {
  if (error instanceof DemoError || error instanceof ConfigError) console.error(`demo: ${error.message}`);
  else console.error("demo:", error);
  process.exitCode = 1;
});
