import { insertDlqMessages, type NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { createMetricsRegistry, type Registry } from "@fluxnotify/shared/metrics";
import { describe, expect } from "vitest";
import { pendingGauge } from "../src/metrics";
import { unique } from "./harness";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const minutesAgo = (n: number) => new Date(NOW - n * 60_000);

async function series(registry: Registry, name: string, channel: string) {
  const { values } = (await registry.getSingleMetric(name)?.get()) ?? { values: [] };
  return values.filter((v) => v.labels.channel === channel).map((v) => [v.labels.domain, v.value]);
}

describe("dead-letter backlog gauges", () => {
  test("depth and oldest age per domain and channel come from the PENDING rows of the store", async ({
    database,
    logger,
  }) => {
    // A channel name of this test's own: other tests' rows in the shared table are other series.
    const channel = unique("CHAN");
    const topic = unique("test.dlq");
    let offset = 0n;
    const row = (status: string, failedAt: Date, domain = "payment"): NewDlqMessage => ({
      domain,
      dlqTopic: topic,
      dlqPartition: 0,
      dlqOffset: offset++,
      originalTopic: "notification.commands.email",
      channel,
      errorMessage: "SMTP 550",
      failedAt,
      status,
    });
    const rows = await insertDlqMessages(database.db, [
      row("PENDING", minutesAgo(10)),
      row("PENDING", minutesAgo(1)),
      row("PENDING", minutesAgo(3), "order"),
      // Not a backlog: history, and replays whose new dead letter is the PENDING one.
      row("DISCARDED", minutesAgo(600)),
      row("RESOLVED", minutesAgo(600)),
      row("REPLAYED", minutesAgo(600)),
    ]);
    expect(rows).toHaveLength(6);

    let now = NOW;
    const registry = createMetricsRegistry("test");
    const gauge = pendingGauge({ db: database.db, registry, logger, now: () => now });
    await gauge.refresh();
    expect(await series(registry, "dlq_messages_pending", channel)).toEqual(
      expect.arrayContaining([
        ["payment", 2],
        ["order", 1],
      ]),
    );
    expect(await series(registry, "dlq_oldest_pending_age_seconds", channel)).toEqual(
      expect.arrayContaining([
        ["payment", 600],
        ["order", 180],
      ]),
    );
    // The age is computed at scrape time: it grows with no refresh (no query) in between.
    now += 30_000;
    expect(await series(registry, "dlq_oldest_pending_age_seconds", channel)).toEqual(
      expect.arrayContaining([["payment", 630]]),
    );

    // Drained (discarded by an operator): the series stay, at 0, rather than vanish.
    await database.sql`update dlq_messages set status = 'DISCARDED' where dlq_topic = ${topic}`;
    await gauge.refresh();
    expect(await series(registry, "dlq_messages_pending", channel)).toEqual(
      expect.arrayContaining([
        ["payment", 0],
        ["order", 0],
      ]),
    );
    expect(await series(registry, "dlq_oldest_pending_age_seconds", channel)).toEqual(
      expect.arrayContaining([
        ["payment", 0],
        ["order", 0],
      ]),
    );
  });
});
