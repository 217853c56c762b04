import { type ConsumedMessage, createConsumerRunner, createProducer } from "../src/kafka/index";
import { eventually, expect, type KafkaFixtures, kafkaTest as test } from "../src/testing/index";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

type Context = Pick<KafkaFixtures, "kafka" | "logger" | "registry">;

async function produceNumbered(
  fixtures: Context,
  topic: string,
  count: number,
  key: (i: number) => string = (i) => `k${i}`,
) {
  const producer = createProducer({
    connection: fixtures.kafka.connection,
    logger: fixtures.logger,
    registry: fixtures.registry,
  });
  await producer.send(Array.from({ length: count }, (_, i) => ({ topic, key: key(i), value: String(i) })));
  await producer.close();
}

test("commits only the contiguous done prefix when messages finish out of order", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("prefix");
  const groupId = kafka.groupId("prefix");
  await produceNumbered(fixtures, topic, 5);

  const gates = Array.from({ length: 5 }, deferred);
  const finished: number[] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    concurrency: 5,
    commitIntervalMs: 60_000, // commits only when the test asks
    handler: async (message) => {
      const index = Number(message.value?.toString());
      await gates[index]?.promise;
      finished.push(index);
    },
  });
  await runner.start();
  for (const index of [1, 2, 4]) gates[index]?.resolve();
  await eventually(() => finished.length === 3);
  await runner.commit();
  expect((await kafka.admin.committedOffsets(groupId, topic)).get(0) ?? -1n).toBe(-1n);

  gates[0]?.resolve();
  await eventually(() => finished.length === 4);
  await runner.commit();
  expect((await kafka.admin.committedOffsets(groupId, topic)).get(0)).toBe(3n);

  gates[3]?.resolve();
  await eventually(() => finished.length === 5);
  await runner.commit();
  expect((await kafka.admin.committedOffsets(groupId, topic)).get(0)).toBe(5n);
  await runner.stop();
});

test("graceful shutdown drains in-flight work and commits everything done", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("graceful", 3);
  const groupId = kafka.groupId("graceful");
  await produceNumbered(fixtures, topic, 60);

  const seen = new Set<string>();
  let started = 0;
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    concurrency: 8,
    commitIntervalMs: 60_000,
    handler: async (message) => {
      started += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen.add(`${message.partition}:${message.offset}`);
    },
  });
  await runner.start();
  await eventually(() => started >= 8);
  await runner.stop();

  // Everything that finished is committed; nothing that did not finish is.
  const committed = await kafka.admin.committedOffsets(groupId, topic);
  let committedTotal = 0n;
  for (const [partition, offset] of committed) {
    for (let o = 0n; o < offset; o++) expect(seen.has(`${partition}:${o}`)).toBe(true);
    committedTotal += offset;
  }
  expect(Number(committedTotal)).toBe(seen.size);
  expect(seen.size).toBeGreaterThanOrEqual(8);
});

test("a failing handler is retried, never skipped, and holds back the commit", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("retry");
  const groupId = kafka.groupId("retry");
  await produceNumbered(fixtures, topic, 3);
  let failuresLeft = 2;
  const done: number[] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    commitIntervalMs: 100,
    handler: async (message) => {
      const index = Number(message.value?.toString());
      if (index === 0 && failuresLeft-- > 0) throw new Error("database unavailable");
      done.push(index);
    },
  });
  await runner.start();
  await eventually(async () => (await kafka.admin.committedOffsets(groupId, topic)).get(0) === 3n);
  expect(done.sort()).toEqual([0, 1, 2]);
  await runner.stop();
});

test("keeps messages of one key in order while other keys run concurrently", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("order");
  await produceNumbered(fixtures, topic, 40, (i) => `user-${i % 4}`);
  const perKey = new Map<string, number[]>();
  let concurrent = 0;
  let maxConcurrent = 0;
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("order"),
    topics: [topic],
    logger,
    registry,
    concurrency: 8,
    handler: async (message: ConsumedMessage) => {
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      const list = perKey.get(message.key ?? "") ?? [];
      list.push(Number(message.value?.toString()));
      perKey.set(message.key ?? "", list);
      concurrent -= 1;
    },
  });
  await runner.start();
  await eventually(() => [...perKey.values()].reduce((n, l) => n + l.length, 0) === 40);
  await runner.stop();
  for (const list of perKey.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  expect(maxConcurrent).toBeGreaterThan(1);
  expect(maxConcurrent).toBeLessThanOrEqual(4); // one in flight per key
});

test("a key stuck in retries holds one slot: other keys keep moving past its queued messages", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("stuck");
  // 12 messages of the stuck key first (three times the concurrency), then 20 of other keys.
  await produceNumbered(fixtures, topic, 32, (i) => (i < 12 ? "stuck" : `other-${i % 5}`));
  let unblock = false;
  const done: number[] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("stuck"),
    topics: [topic],
    logger,
    registry,
    concurrency: 4,
    handler: async (message: ConsumedMessage) => {
      if (message.key === "stuck" && !unblock) throw new Error("provider says: not yet");
      done.push(Number(message.value?.toString()));
    },
  });
  await runner.start();
  try {
    await eventually(() => done.filter((n) => n >= 12).length === 20);
    expect(done.filter((n) => n < 12)).toEqual([]);
    unblock = true;
    await eventually(() => done.length === 32, 20_000);
    expect(done.filter((n) => n < 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  } finally {
    await runner.stop();
  }
});

test("pause stops taking messages and resume continues where it stopped", async ({
  kafka,
  logger,
  registry,
}) => {
  const fixtures = { kafka, logger, registry };
  const topic = await kafka.createTopic("pause");
  const handled: number[] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("pause"),
    topics: [topic],
    logger,
    registry,
    handler: async (message) => {
      handled.push(Number(message.value?.toString()));
    },
  });
  await runner.start();
  await produceNumbered(fixtures, topic, 5);
  await eventually(() => handled.length === 5);
  runner.pause();
  expect(runner.paused).toBe(true);
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send([5, 6, 7].map((i) => ({ topic, key: `k${i}`, value: String(i) })));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(handled.length).toBe(5);
  runner.resume();
  await eventually(() => handled.length === 8);
  expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  await producer.close();
  await runner.stop();
});
