import { randomUUID } from "node:crypto";
import type { DbClient } from "@fluxnotify/db";
import { schema } from "@fluxnotify/db";
import {
  CHANNELS,
  type Channel,
  DOMAINS,
  type Domain,
  parseChannelCommand,
  parseDeliveryEvent,
} from "@fluxnotify/shared/contracts";
import { createDeadLetterWriter, createProducer, type KafkaProducer } from "@fluxnotify/shared/kafka";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { createRedis, type Redis } from "@fluxnotify/shared/redis";
import { collectTopic, type KafkaFixtures, type TopicCollector } from "@fluxnotify/shared/testing";
import { inject } from "vitest";
import type { IngestConfig, IngestTopology } from "../src/config";
import { type IngestWorker, startIngest } from "../src/ingest";
import { createIngestMetrics } from "../src/metrics";
import { createTenantWebhookLookup } from "../src/settings";

type Context = Pick<KafkaFixtures, "kafka" | "logger" | "registry"> & { database: DbClient };

export interface Harness {
  topology: IngestTopology;
  tenantId: string;
  producer: KafkaProducer;
  redis: Redis;
  worker: IngestWorker;
  commands: Record<Channel, TopicCollector>;
  deliveries: TopicCollector;
  dlq: Record<Domain, TopicCollector>;
  publish(
    domain: Domain,
    value: string | Buffer,
    options?: { key?: string; headers?: Record<string, string | Buffer> },
  ): Promise<void>;
  commandsFor(eventId: string): ReturnType<typeof parsedCommands>;
  deliveriesFor(eventId: string): ReturnType<typeof parsedDeliveries>;
  close(): Promise<void>;
}

function parsedCommands(collector: Record<Channel, TopicCollector>, eventId: string) {
  return CHANNELS.flatMap((channel) =>
    collector[channel].messages.map((m) => {
      const parsed = parseChannelCommand(m.value);
      if (!parsed.ok) throw new Error(parsed.reason);
      return { ...parsed.value, key: m.key };
    }),
  ).filter((command) => command.eventId === eventId);
}

function parsedDeliveries(collector: TopicCollector, eventId: string) {
  return collector.messages
    .map((m) => {
      const parsed = parseDeliveryEvent(m.value);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.value;
    })
    .filter((delivery) => delivery.eventId === eventId);
}

/** A running ingest worker on unique topics, groups and tenant, with collectors on its outputs. */
export async function startHarness(
  context: Context,
  overrides: Partial<Omit<IngestConfig, "topology">> & {
    topology?: IngestTopology;
    tenantWebhooks?: Record<string, string>;
    /** Where oversized dead letters' originals go (a unique test topic). */
    originalsTopic?: string;
  } = {},
): Promise<Harness> {
  const { kafka, logger, registry, database } = context;
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const topic = (name: string, partitions = 2) => kafka.createTopic(name, partitions);
  const byDomain = async (fn: (d: Domain) => Promise<string>) =>
    Object.fromEntries(await Promise.all(DOMAINS.map(async (d) => [d, await fn(d)]))) as Record<
      Domain,
      string
    >;
  const topology: IngestTopology = overrides.topology ?? {
    source: await byDomain((d) => topic(`fluxpay.${d}`)),
    replay: await byDomain((d) => topic(`replay.${d}`)),
    groups: Object.fromEntries(DOMAINS.map((d) => [d, kafka.groupId(`ingest-${d}`)])) as Record<
      Domain,
      string
    >,
    dlq: await byDomain((d) => topic(`dlq.${d}`, 1)),
    commands: Object.fromEntries(
      await Promise.all(CHANNELS.map(async (c) => [c, await topic(`commands.${c}`)])),
    ) as Record<Channel, string>,
    deliveryEvents: await topic("deliveries"),
    replayOutcomes: await topic("replay-outcomes"),
  };
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  const redis = createRedis(inject("redisUrl"), { logger, name: "ingest-test" });
  const collectorContext = { logger, registry };
  const commands = Object.fromEntries(
    await Promise.all(
      CHANNELS.map(async (c) => [
        c,
        await collectTopic({
          connection: kafka.connection,
          topic: topology.commands[c],
          ...collectorContext,
        }),
      ]),
    ),
  ) as Record<Channel, TopicCollector>;
  const deliveries = await collectTopic({
    connection: kafka.connection,
    topic: topology.deliveryEvents,
    ...collectorContext,
  });
  const dlq = Object.fromEntries(
    await Promise.all(
      DOMAINS.map(async (d) => [
        d,
        await collectTopic({ connection: kafka.connection, topic: topology.dlq[d], ...collectorContext }),
      ]),
    ),
  ) as Record<Domain, TopicCollector>;
  const worker = await startIngest(
    {
      sql: database.sql,
      redis,
      producer,
      deadLetters: createDeadLetterWriter({
        producer,
        logger,
        ...(overrides.originalsTopic ? { originalsTopic: overrides.originalsTopic } : {}),
      }),
      logger,
      // Own registry: a test may run two harnesses (e.g. a replay) side by side.
      metrics: createIngestMetrics(createMetricsRegistry("ingest-test")),
      config: {
        topology,
        maxEventBytes: overrides.maxEventBytes ?? 64 * 1024,
        parkDeadlineMs: overrides.parkDeadlineMs ?? 10 * 60 * 1000,
        settingsCacheTtlSeconds: overrides.settingsCacheTtlSeconds ?? 300,
      },
      now: () => new Date(),
      parked: { mayExist: true, parks: 0 },
      tenantWebhook: createTenantWebhookLookup(overrides.tenantWebhooks ?? {}),
    },
    { connection: kafka.connection, registry, domains: [...DOMAINS], batchSize: 100, sweepIntervalMs: 300 },
  );
  return {
    topology,
    tenantId,
    producer,
    redis,
    worker,
    commands,
    deliveries,
    dlq,
    publish: (domain, value, options = {}) =>
      producer.send([{ topic: topology.source[domain], key: options.key, value, headers: options.headers }]),
    commandsFor: (eventId) => parsedCommands(commands, eventId),
    deliveriesFor: (eventId) => parsedDeliveries(deliveries, eventId),
    async close() {
      await worker.stop(2_000);
      await Promise.all([...Object.values(commands), deliveries, ...Object.values(dlq)].map((c) => c.stop()));
      await producer.close();
      await redis.quit();
    },
  };
}

export async function saveSettings(
  database: DbClient,
  row: typeof schema.userNotificationSettings.$inferInsert,
): Promise<void> {
  await database.db
    .insert(schema.userNotificationSettings)
    .values(row)
    .onConflictDoUpdate({
      target: [schema.userNotificationSettings.tenantId, schema.userNotificationSettings.userId],
      set: { ...row, updatedAt: new Date() },
    });
}

export { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";
