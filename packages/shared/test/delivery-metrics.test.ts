import { inject } from "vitest";
import { sampleCommand, scriptedStrategy, startDeliveryHarness } from "../src/delivery/testing/index";
import type { Registry } from "../src/metrics";
import { createRedis } from "../src/redis";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";

const fast = { retry: { delaysMs: [100, 200, 400], jitterRatio: 0 }, probeIntervalMs: 300 };

/** One series' value from the registry, as Prometheus would scrape it. */
async function seriesValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value;
}

test("retries are counted by channel and code; send latency is labelled with the strategy's provider", async ({
  kafka,
  logger,
  registry,
}) => {
  const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
  const flaky = sampleCommand("EMAIL");
  const strategy = scriptedStrategy("EMAIL", { [flaky.notificationId]: ["transient", "transient"] });
  const harness = await startDeliveryHarness({ kafka, logger, registry, redis, strategy, runtime: fast });
  try {
    await harness.produce([flaky]);
    await eventually(() => harness.outcomes().length === 1);
    expect(
      await seriesValue(registry, "delivery_retries_total", { channel: "EMAIL", code: "SCRIPTED_TRANSIENT" }),
    ).toBe(2);
    const duration = { channel: "EMAIL", provider: "scripted" };
    expect(
      await seriesValue(registry, "delivery_send_duration_seconds", {
        ...duration,
        result: "error",
        le: "+Inf",
      }),
    ).toBe(2);
    expect(
      await seriesValue(registry, "delivery_send_duration_seconds", {
        ...duration,
        result: "ok",
        le: "+Inf",
      }),
    ).toBe(1);
  } finally {
    await harness.close();
    await redis.quit();
  }
});

test("a provider outage is not a retry; the breaker's transitions are counted", async ({
  kafka,
  logger,
  registry,
}) => {
  const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
  const command = sampleCommand("SLACK");
  const strategy = scriptedStrategy("SLACK");
  strategy.down = true;
  const harness = await startDeliveryHarness({ kafka, logger, registry, redis, strategy, runtime: fast });
  try {
    await harness.produce([command]);
    await eventually(() => harness.runtime.breaker.state === "open");
    expect(await seriesValue(registry, "delivery_breaker_open", { channel: "SLACK" })).toBe(1);
    expect(
      await seriesValue(registry, "delivery_breaker_transitions_total", { channel: "SLACK", state: "open" }),
    ).toBe(1);
    strategy.down = false;
    await eventually(() => harness.outcomes().length === 1);
    expect(await seriesValue(registry, "delivery_breaker_open", { channel: "SLACK" })).toBe(0);
    expect(
      await seriesValue(registry, "delivery_breaker_transitions_total", {
        channel: "SLACK",
        state: "closed",
      }),
    ).toBe(1);
    expect(await seriesValue(registry, "delivery_retries_total", { channel: "SLACK" })).toBeUndefined();
  } finally {
    await harness.close();
    await redis.quit();
  }
});
