import { randomUUID } from "node:crypto";
import { createAdmin, createProducer, type KafkaAdmin, type KafkaConnection } from "../kafka/index";
import { createLogger, type Logger } from "../logger";
import { createMetricsRegistry, type Registry } from "../metrics";
import "./provided";
import { test as base, inject } from "vitest";
import { testEnv } from "./env";

export interface KafkaFixture {
  connection: KafkaConnection;
  admin: KafkaAdmin;
  /** Creates a topic with a unique name (deleted after the test). */
  createTopic(prefix: string, partitions?: number): Promise<string>;
  /** A consumer group id unique to this test. */
  groupId(prefix: string): string;
}

export interface KafkaFixtures {
  logger: Logger;
  registry: Registry;
  kafka: KafkaFixture;
}

/**
 * Test context backed by the real broker that global-setup ensured. Each test gets unique topic and group names, so tests never see each other's
 * messages even when files run in parallel.
 */
export const kafkaTest = base.extend<KafkaFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies by destructuring
  logger: async ({}, use) => {
    await use(createLogger({ name: "test", level: testEnv().TEST_LOG_LEVEL }));
  },
  // biome-ignore lint/correctness/noEmptyPattern: see above
  registry: async ({}, use) => {
    await use(createMetricsRegistry("test"));
  },
  // biome-ignore lint/correctness/noEmptyPattern: see above
  kafka: async ({}, use) => {
    const connection = { brokers: inject("kafkaBrokers"), clientId: `test-${randomUUID().slice(0, 8)}` };
    const admin = createAdmin(connection);
    const created: string[] = [];
    const suffix = () => `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
    await use({
      connection,
      admin,
      async createTopic(prefix, partitions = 1) {
        const name = `test.${prefix}.${suffix()}`;
        await admin.ensureTopics([{ name, partitions }]);
        created.push(name);
        return name;
      },
      groupId: (prefix) => `test-${prefix}-${suffix()}`,
    });
    await admin.deleteTopics(created).catch(() => {});
    await admin.close();
  },
});

export { expect } from "vitest";
export { testEnv } from "./env";

/** Polls `probe` until it returns a truthy value (an empty array counts as not yet) or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value && !(Array.isArray(value) && value.length === 0)) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export { collectTopic, type TopicCollector } from "./collect";
export { type CapturedLogs, captureLogs, errorCodes, leaks, SENSITIVE } from "./logs";

/**
 * A producer that compresses, as FluxPay's does: the broker then accepts values larger than
 * its record limit uncompressed, which is how oversized records reach our consumers.
 */
export function compressingProducer(fixtures: Pick<KafkaFixtures, "kafka" | "logger" | "registry">) {
  return createProducer({
    connection: fixtures.kafka.connection,
    logger: fixtures.logger,
    registry: fixtures.registry,
    compression: "gzip",
    maxRecordBytes: 8 * 1024 * 1024,
  });
}
