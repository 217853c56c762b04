import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { type DeliveryEvent, workerHeartbeatKey } from "../src/contracts/index";
import { sampleCommand, scriptedStrategy, startDeliveryHarness } from "../src/delivery/testing/index";
import { createRedis } from "../src/redis";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";

const fast = { retry: { delaysMs: [100, 200, 400], jitterRatio: 0 }, probeIntervalMs: 300 };

const summary = (events: DeliveryEvent[]) =>
  events.map((e) => [e.status, e.attempts ?? null, e.reasonCode ?? null]);

test("PENDING is reported at every scheduled retry, with that attempt's number and failure", async ({
  kafka,
  logger,
  registry,
}) => {
  const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
  const flaky = sampleCommand("EMAIL");
  const failing = sampleCommand("EMAIL");
  const strategy = scriptedStrategy("EMAIL", {
    [flaky.notificationId]: ["transient", "transient"],
    [failing.notificationId]: ["transient", "transient", "transient", "transient"],
  });
  const harness = await startDeliveryHarness({ kafka, logger, registry, redis, strategy, runtime: fast });
  try {
    await harness.produce([flaky, failing]);
    await eventually(() => harness.outcomes().length === 2);
    const of = (id: string) =>
      summary(harness.events.values<DeliveryEvent>().filter((e) => e.notificationId === id));
    expect(of(flaky.notificationId)).toEqual([
      ["PENDING", 1, "SCRIPTED_TRANSIENT"],
      ["PENDING", 2, "SCRIPTED_TRANSIENT"],
      ["SENT", 3, null],
    ]);
    // Three retries, each announced; the fourth failure is the last: dead-lettered.
    expect(of(failing.notificationId)).toEqual([
      ["PENDING", 1, "SCRIPTED_TRANSIENT"],
      ["PENDING", 2, "SCRIPTED_TRANSIENT"],
      ["PENDING", 3, "SCRIPTED_TRANSIENT"],
      ["FAILED", 4, "SCRIPTED_TRANSIENT"],
    ]);
  } finally {
    await harness.close();
    await redis.quit();
  }
});

test("a provider outage is reported PENDING once per wait; the heartbeat shows the breaker open, then closed, then the worker gone", async ({
  kafka,
  logger,
  registry,
}) => {
  const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
  const keyPrefix = `test-${randomUUID().slice(0, 8)}:`;
  const key = workerHeartbeatKey(keyPrefix, "SLACK");
  const command = sampleCommand("SLACK");
  const strategy = scriptedStrategy("SLACK", { [command.notificationId]: ["transient"] });
  strategy.down = true;
  const harness = await startDeliveryHarness({
    kafka,
    logger,
    registry,
    redis,
    strategy,
    runtime: { ...fast, heartbeat: { keyPrefix, intervalMs: 200 } },
  });
  const beat = async () => {
    const fields = await redis.hgetall(key);
    return Object.values(fields).map((text) => JSON.parse(text) as { breaker: string; paused: boolean });
  };
  try {
    const instance = harness.runtime.heartbeat?.instanceId ?? "";
    await eventually(async () => (await redis.hget(key, instance)) !== null);
    expect(await redis.ttl(key)).toBeGreaterThan(0);
    await harness.produce([command]);
    await eventually(() => harness.runtime.breaker.state === "open");
    await eventually(async () => (await beat())[0]?.breaker === "open");
    expect(await beat()).toEqual([{ breaker: "open", paused: true, at: expect.any(String) }]);
    // Several probes fail meanwhile: still one PENDING for the one wait.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(summary(harness.delays())).toEqual([["PENDING", 0, "PROVIDER_DOWN"]]);

    strategy.down = false;
    await eventually(() => harness.outcomes().length === 1);
    expect(summary(harness.events.values<DeliveryEvent>())).toEqual([
      ["PENDING", 0, "PROVIDER_DOWN"],
      ["PENDING", 1, "SCRIPTED_TRANSIENT"],
      ["SENT", 2, null],
    ]);
    await eventually(async () => (await beat())[0]?.breaker === "closed");
    expect(await beat()).toMatchObject([{ breaker: "closed", paused: false }]);
  } finally {
    await harness.close();
  }
  // A stopped worker removes its field at once.
  expect(await redis.hgetall(key)).toEqual({});
  await redis.quit();
});
