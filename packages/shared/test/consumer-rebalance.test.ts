import { createConsumerRunner, createProducer } from "../src/kafka/index";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";

const TOTAL = 300;

test("a second member joining mid-stream shares the partitions and nothing is lost", async ({
  kafka,
  logger,
  registry,
}) => {
  const topic = await kafka.createTopic("rebalance", 4);
  const groupId = kafka.groupId("rebalance");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send(Array.from({ length: TOTAL }, (_, i) => ({ topic, key: `k${i}`, value: String(i) })));

  const handledBy = new Map<string, string[]>();
  const runnerFor = (name: string) =>
    createConsumerRunner({
      connection: kafka.connection,
      groupId,
      topics: [topic],
      logger,
      registry,
      concurrency: 4,
      commitIntervalMs: 100,
      sessionTimeoutMs: 6_000,
      handler: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const entry = `${message.partition}:${message.offset}`;
        handledBy.set(entry, [...(handledBy.get(entry) ?? []), name]);
      },
    });
  const first = runnerFor("first");
  await first.start();
  await eventually(() => handledBy.size >= 40);
  const second = runnerFor("second");
  await second.start();
  await producer.send(Array.from({ length: 20 }, (_, i) => ({ topic, key: `late${i}`, value: `late${i}` })));

  await eventually(() => handledBy.size === TOTAL + 20, 45_000);
  const members = new Set([...handledBy.values()].flat());
  expect(members).toEqual(new Set(["first", "second"]));
  // Re-processing happens only for offsets that were not committed when partitions moved.
  const reprocessed = [...handledBy.values()].filter((names) => names.length > 1).length;
  expect(reprocessed).toBeLessThan(60);

  await Promise.all([first.stop(), second.stop()]);
  const committed = await kafka.admin.committedOffsets(groupId, topic);
  const committedTotal = [...committed.values()].reduce((sum, offset) => sum + offset, 0n);
  expect(committedTotal).toBe(BigInt(TOTAL + 20));
  await producer.close();
});
