import { AppError, RetryableError } from "../src/errors";
import { type ConsumedMessage, createConsumerRunner, createProducer } from "../src/kafka/index";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";

const numbers = (messages: ConsumedMessage[]) => messages.map((m) => Number(m.value?.toString()));

test("a batch failing for one record's data is bisected: that record alone is dead-lettered, once", async ({
  kafka,
  logger,
  registry,
}) => {
  const topic = await kafka.createTopic("bisect");
  const groupId = kafka.groupId("bisect");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send(Array.from({ length: 40 }, (_, i) => ({ topic, key: "one", value: String(i) })));
  await producer.close();

  const handled: number[] = [];
  const deadLettered: Array<{ value: number; code: string }> = [];
  const attempts: number[][] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    maxBatchSize: 40,
    batchHandler: async (messages) => {
      attempts.push(numbers(messages));
      // What the database says of a value it cannot hold (SQLSTATE class 22).
      if (numbers(messages).some((n) => n === 7 || n === 31)) {
        throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
          code: "22021",
          severity: "ERROR",
        });
      }
      handled.push(...numbers(messages));
    },
    deadLetter: async (message, failure) => {
      deadLettered.push({ value: Number(message.value?.toString()), code: failure.code });
    },
  });
  await runner.start();
  try {
    await eventually(() => handled.length + deadLettered.length === 40);
    expect(deadLettered).toEqual([
      { value: 7, code: "SQLSTATE_22021" },
      { value: 31, code: "SQLSTATE_22021" },
    ]);
    expect(handled.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i).filter((n) => n !== 7 && n !== 31),
    );
    // Bisection, not one-by-one: far fewer attempts than records.
    expect(attempts.length).toBeLessThan(25);
    await runner.commit();
    expect((await kafka.admin.committedOffsets(groupId, topic)).get(0)).toBe(40n);
  } finally {
    await runner.stop(2_000);
  }
});

test("each-message mode: a permanent failure is dead-lettered at once, a transient one retried; the key goes on", async ({
  kafka,
  logger,
  registry,
}) => {
  const topic = await kafka.createTopic("each");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send(["0", "bad-type", "flaky", "3"].map((value) => ({ topic, key: "k", value })));
  await producer.close();

  const done: string[] = [];
  const deadLettered: string[] = [];
  let flakyTries = 0;
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("each"),
    topics: [topic],
    logger,
    registry,
    handler: async (message) => {
      const value = message.value?.toString() ?? "";
      if (value === "bad-type") (undefined as unknown as { x: () => void }).x(); // a TypeError
      if (value === "flaky" && flakyTries++ < 2) throw new RetryableError("BUSY", "not yet");
      done.push(value);
    },
    deadLetter: async (message, failure) => {
      deadLettered.push(`${message.value?.toString()}:${failure.code}`);
    },
  });
  await runner.start();
  try {
    await eventually(() => done.length === 3);
    expect(done).toEqual(["0", "flaky", "3"]); // in key order, the poison not blocking it
    expect(deadLettered).toEqual(["bad-type:UNPROCESSABLE_TYPEERROR"]);
    expect(flakyTries).toBe(3);
  } finally {
    await runner.stop(2_000);
  }
});

test("a partition whose commit position does not move while it has work is reported stalled, then cleared", async ({
  kafka,
  logger,
  registry,
}) => {
  const topic = await kafka.createTopic("stall");
  const groupId = kafka.groupId("stall");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send([{ topic, key: "k", value: "stuck" }]);
  await producer.close();

  let healthy = false;
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    stallAfterMs: 400,
    batchHandler: async () => {
      // A dependency that is down: transient, retried without limit, never skipped.
      if (!healthy) throw new AppError("DOWN", "database unavailable", { retryable: true });
    },
  });
  await runner.start();
  try {
    const stalled = await eventually(() => runner.stalled(), 10_000);
    expect(stalled).toEqual([{ topic, partition: 0, stalledSeconds: expect.any(Number), pending: 1 }]);
    const gauge = async () => {
      const metric = registry.getSingleMetric("kafka_consumer_partition_stalled");
      const values = (await metric?.get())?.values ?? [];
      return values.find((v) => v.labels.group === groupId && v.labels.topic === topic)?.value;
    };
    await eventually(async () => (await gauge()) === 1, 10_000);
    healthy = true;
    await eventually(async () => runner.stalled().length === 0 && (await gauge()) === 0, 20_000);
  } finally {
    await runner.stop(2_000);
  }
});
