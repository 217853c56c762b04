import { join } from "node:path";
import { type PlatformConfig, portsFrom, REPO_ROOT } from "@fluxnotify/platform/apps";

/** Resources reserved for this suite (packages/platform's README lists every harness's). */
export const E2E = {
  brokerPort: 9192,
  controllerPort: 9193,
  databaseUrl: "postgres://postgres@127.0.0.1:5432/fluxnotify_e2e",
  redisUrl: "redis://127.0.0.1:6379/5",
  ports: portsFrom(19101),
  smtpPort: 19025,
  webhookPort: 19010,
  pushPort: 19030,
  /** A page of another site that embeds the inbox (test/inbox-browser.test.ts), allowed by query-api's CORS. */
  shopPort: 19040,
  /** The OTLP/HTTP collector stand-in every app exports its spans to (src/otlp-receiver.ts). */
  otlpPort: 19050,
} as const;

/**
 * Tracing on in every app, exporting to the stand-in, but recording only traces that a
 * sampled incoming `traceparent` started (test/tracing.test.ts's): the rest of the suite
 * sends none, so its events cost the apps non-recording spans and no exports.
 */
const TRACING_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${E2E.otlpPort}`,
  OTEL_TRACES_SAMPLER: "parentbased_always_off",
  OTEL_BSP_SCHEDULE_DELAY: "200",
};

export const QUERY_API = `http://127.0.0.1:${E2E.ports["query-api"]}`;
export const DLQ_ADMIN = `http://127.0.0.1:${E2E.ports["dlq-admin"]}`;
/** The operations console: its web app and its proxy to the two APIs. */
export const CONSOLE = `http://127.0.0.1:${E2E.ports.console}`;

/** Where the browser tests keep their screenshots (gitignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, "e2e", "artifacts");

/** Tenants of one run: unique ids, so nothing of an earlier run (or another suite) can match. */
export const tenantsOf = (runId: string) => ({
  /** Has an operations Slack channel (the webhook sink). */
  withSlack: `e2e-${runId}-a`,
  /** Has none: its Slack notifications are SKIPPED for want of a contact point. */
  withoutSlack: `e2e-${runId}-b`,
  /** One tenant per further scenario, so each dashboard counts only its own scenario. */
  ordering: `e2e-${runId}-o`,
  dlq: `e2e-${runId}-d`,
  /** The inbox in a browser (test/inbox-browser.test.ts). */
  inbox: `e2e-${runId}-i`,
  /** The operations console in a browser (test/console-browser.test.ts), and an admin's of another tenant. */
  console: `e2e-${runId}-c`,
  consoleOther: `e2e-${runId}-x`,
  /** One event with FluxPay's traceparent, followed through every app (test/tracing.test.ts). */
  tracing: `e2e-${runId}-t`,
  /** bin/demo's, run as a child process: an operations channel, like bin/dev's tenant-a. */
  demo: `e2e-${runId}-demo`,
});

export const slackPathOf = (tenantId: string) => `/services/${tenantId}`;

/** Recipients the SMTP sink refuses with 550: a permanently invalid mailbox. */
export const isBouncingAddress = (rcpt: string) => rcpt.startsWith("bounce");

export function platformConfig(runId: string): PlatformConfig {
  const tenants = tenantsOf(runId);
  const webhook = (tenant: string) => `http://127.0.0.1:${E2E.webhookPort}${slackPathOf(tenant)}`;
  return {
    kafkaBrokers: `127.0.0.1:${E2E.brokerPort}`,
    databaseUrl: E2E.databaseUrl,
    redisUrl: E2E.redisUrl,
    smtp: { host: "127.0.0.1", port: E2E.smtpPort },
    tenantSlackWebhooks: {
      [tenants.withSlack]: webhook(tenants.withSlack),
      [tenants.demo]: webhook(tenants.demo),
    },
    slackAllowedHosts: ["hooks.slack.com", `127.0.0.1:${E2E.webhookPort}`],
    push: { allowedHosts: [`127.0.0.1:${E2E.pushPort}`] },
    ports: E2E.ports,
    env: {
      // An order that never arrives dead-letters its payment within the suite's time.
      "ingest-worker": { ...TRACING_ENV, PARK_DEADLINE_MS: "15000", PARK_SWEEP_INTERVAL_MS: "1000" },
      "email-worker": { ...TRACING_ENV, BREAKER_PROBE_INTERVAL_MS: "1000" },
      "slack-worker": { ...TRACING_ENV, BREAKER_PROBE_INTERVAL_MS: "1000" },
      "inapp-worker": { ...TRACING_ENV, BREAKER_PROBE_INTERVAL_MS: "1000" },
      "push-worker": { ...TRACING_ENV, BREAKER_PROBE_INTERVAL_MS: "1000" },
      "query-api": { ...TRACING_ENV, INBOX_ALLOWED_ORIGINS: `http://127.0.0.1:${E2E.shopPort}` },
      "dlq-admin": TRACING_ENV,
      console: TRACING_ENV,
    },
  };
}
