import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { type ConsumerGroupSpec, workerHeartbeatKey } from "@fluxnotify/shared/contracts";
import { sampleCommand, scriptedStrategy, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createAdmin, createConsumerRunner, createProducer } from "@fluxnotify/shared/kafka";
import { createRedis } from "@fluxnotify/shared/redis";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect, inject } from "vitest";
import { sign, startApi } from "./api-harness";
import { uniqueTenant } from "./helpers";

type Status = {
  consumerGroups: Array<{
    group: string;
    lag: number | null;
    topics: Array<{ topic: string; lag: number | null }>;
    error?: string;
  }>;
  channels: Array<{
    channel: string;
    breaker: string;
    paused: boolean;
    instances: number;
    reportedAt: string | null;
  }>;
};

describe("pipeline dashboard", () => {
  test("lag of a real lagging group, of one never started, of one that starts at the end, of a missing topic; cached", async ({
    database,
    kafka,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("pipeline", 2);
    const lagging = kafka.groupId("lagging");
    const producer = createProducer({ connection: kafka.connection, logger, registry });
    const produce = (n: number) =>
      producer.send(Array.from({ length: n }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
    // The group reads and commits 5 records, then stops; 7 more arrive after it.
    await produce(5);
    let seen = 0;
    const runner = createConsumerRunner({
      connection: kafka.connection,
      groupId: lagging,
      topics: [topic],
      logger,
      registry,
      startFrom: "earliest",
      commitIntervalMs: 100,
      handler: async () => {
        seen++;
      },
    });
    await runner.start();
    await eventually(() => seen === 5);
    await runner.stop(5_000);
    await produce(7);
    const missing = `test.missing.${randomUUID().slice(0, 8)}`;
    const groups: ConsumerGroupSpec[] = [
      { group: lagging, topics: [topic], startFrom: "earliest" },
      { group: kafka.groupId("never"), topics: [topic], startFrom: "earliest" },
      { group: kafka.groupId("from-the-end"), topics: [topic], startFrom: "latest" },
      { group: kafka.groupId("missing"), topics: [topic, missing], startFrom: "earliest" },
    ];
    const api = await startApi({ database, logger, registry }, {}, { pipeline: { groups, cacheMs: 1_500 } });
    const admin = await sign({ sub: "ops", tenant: uniqueTenant(), roles: ["admin"] });
    const status = async () => {
      const response = await api.call("GET", "/api/v1/dashboard/pipeline", admin);
      expect(response.status).toBe(200);
      return response.body as unknown as Status;
    };
    try {
      const first = await status();
      expect(first.consumerGroups).toEqual([
        { group: lagging, lag: 7, topics: [{ topic, lag: 7 }] },
        { group: groups[1]?.group, lag: 12, topics: [{ topic, lag: 12 }] },
        { group: groups[2]?.group, lag: 0, topics: [{ topic, lag: 0 }] },
        {
          group: groups[3]?.group,
          lag: null,
          topics: [
            { topic, lag: 12 },
            { topic: missing, lag: null },
          ],
          error: `topic not on the broker: ${missing}`,
        },
      ]);
      // Within the cache period the measurement is served again; after it, measured anew.
      await produce(3);
      expect((await status()).consumerGroups[0]?.lag).toBe(7);
      await eventually(async () => (await status()).consumerGroups[0]?.lag === 10, 5_000, 250);
    } finally {
      await api.close();
      await producer.close();
    }
  });

  test("a broker that does not answer: 200 with lag null and the error, within seconds", async ({
    database,
    logger,
    registry,
  }) => {
    const dead = createAdmin(
      { brokers: ["127.0.0.1:1"], clientId: "test-dead-broker" },
      { retries: 0, connectTimeoutMs: 500, requestTimeoutMs: 500 },
    );
    const api = await startApi(
      { database, logger, registry },
      {},
      {
        pipeline: {
          admin: dead,
          timeoutMs: 2_000,
          groups: [{ group: "g", topics: ["t"], startFrom: "earliest" }],
        },
      },
    );
    const operator = await sign({ sub: "staff", tenant: uniqueTenant("ops"), roles: ["operator"] });
    try {
      const started = Date.now();
      const response = await api.call("GET", "/api/v1/dashboard/pipeline", operator);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(response.status).toBe(200);
      const body = response.body as unknown as Status;
      expect(body.consumerGroups).toEqual([
        {
          group: "g",
          lag: null,
          topics: [{ topic: "t", lag: null }],
          error: expect.stringMatching(/^Kafka did not answer/),
        },
      ]);
      expect(body.channels.map((c) => c.channel)).toEqual(["EMAIL", "SLACK", "IN_APP", "PUSH"]);
    } finally {
      await api.close();
    }
  });

  test("a worker's breaker is reported open while its provider is down, closed once back, unknown when it stops", async ({
    database,
    kafka,
    logger,
    registry,
  }) => {
    const keyPrefix = `test-${randomUUID().slice(0, 8)}:`;
    const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
    const strategy = scriptedStrategy("SLACK");
    strategy.down = true;
    const worker = await startDeliveryHarness({
      kafka,
      logger,
      registry,
      redis,
      strategy,
      runtime: { probeIntervalMs: 300, heartbeat: { keyPrefix, intervalMs: 200 } },
    });
    // A second, idle instance of the same channel, healthy.
    const idle = await startDeliveryHarness({
      kafka,
      logger,
      registry,
      redis,
      strategy: scriptedStrategy("SLACK"),
      runtime: { heartbeat: { keyPrefix, intervalMs: 200 } },
    });
    const key = workerHeartbeatKey(keyPrefix, "SLACK");
    // Left by instances long gone: one silent for 20 s (ignored), one for an hour (removed).
    const beat = (ago: number) =>
      JSON.stringify({ breaker: "open", paused: true, at: new Date(Date.now() - ago).toISOString() });
    await redis.hset(key, "gone-recently", beat(20_000), "gone-long-ago", beat(3_600_000), "garbage", "{");
    const api = await startApi({ database, logger, registry }, {}, { pipeline: { keyPrefix, groups: [] } });
    let closed = false;
    const admin = await sign({ sub: "ops", tenant: uniqueTenant(), roles: ["admin"] });
    const slack = async () => {
      const body = (await api.call("GET", "/api/v1/dashboard/pipeline", admin)).body as unknown as Status;
      return body.channels.find((c) => c.channel === "SLACK");
    };
    try {
      expect(await slack()).toMatchObject({ breaker: "closed", paused: false, instances: 2 });
      await worker.produce([sampleCommand("SLACK")]);
      await eventually(async () => (await slack())?.breaker === "open");
      const open = await slack();
      expect(open).toMatchObject({ breaker: "open", paused: true, instances: 2 });
      expect(Date.now() - Date.parse(open?.reportedAt ?? "")).toBeLessThan(15_000);
      // Other channels have no worker under this prefix.
      const body = (await api.call("GET", "/api/v1/dashboard/pipeline", admin)).body as unknown as Status;
      expect(body.channels.find((c) => c.channel === "EMAIL")).toEqual({
        channel: "EMAIL",
        breaker: "unknown",
        paused: false,
        instances: 0,
        reportedAt: null,
      });
      expect(Object.keys(await redis.hgetall(key)).sort()).toEqual(
        [worker.runtime.heartbeat?.instanceId, idle.runtime.heartbeat?.instanceId, "gone-recently"].sort(),
      );

      strategy.down = false;
      await eventually(async () => (await slack())?.breaker === "closed");
      await eventually(() => worker.outcomes().length === 1);
      await Promise.all([worker.close(), idle.close()]);
      closed = true;
      expect(await slack()).toEqual({
        channel: "SLACK",
        breaker: "unknown",
        paused: false,
        instances: 0,
        reportedAt: null,
      });
    } finally {
      if (!closed) await Promise.all([worker.close(), idle.close()]);
      await api.close();
      await redis.del(key);
      await redis.quit();
    }
  });
});
