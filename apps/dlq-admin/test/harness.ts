import { randomUUID } from "node:crypto";
import type { DbClient, Sql } from "@fluxnotify/db";
import { type DeadLetterInfo, deadLetterHeaders } from "@fluxnotify/shared/contracts";
import { listen } from "@fluxnotify/shared/http";
import {
  type ConsumedMessage,
  createConsumerRunner,
  createProducer,
  type KafkaProducer,
  type OutgoingMessage,
} from "@fluxnotify/shared/kafka";
import type { KafkaFixtures } from "@fluxnotify/shared/testing";
import { SignJWT } from "jose";
import { createDlqAdmin } from "../src/service";

export const SECRET = "dlq-admin-test-secret-at-least-32-bytes";

export function sign(claims: Record<string, unknown>, options: { expiresIn?: string; secret?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "5m")
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** The platform's operations staff: every tenant's dead letters, whatever the `tenant` claim. */
export const operatorToken = (sub = "operator-1") => sign({ sub, tenant: "platform", roles: ["operator"] });
/** A tenant's admin: that tenant's dead letters only. */
export const adminToken = (tenant: string, sub = "admin-1") => sign({ sub, tenant, roles: ["admin"] });

/** Narrows what `eventually` resolved to (it only resolves with a truthy value). */
export function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

/** How many dead letters of `topic` are stored. */
export async function storedCount(sql: Sql, topic: string): Promise<number> {
  const [row] = await sql<
    { n: number }[]
  >`select count(*)::int as n from dlq_messages where dlq_topic = ${topic}`;
  return row?.n ?? 0;
}

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A dead-letter record as a channel worker writes it (CONTRACT §3 headers). */
export function deadLetter(
  topic: string,
  info: Partial<DeadLetterInfo> & {
    key?: string;
    value?: Buffer | string;
    extraHeaders?: Record<string, string>;
  },
): OutgoingMessage {
  const headers = deadLetterHeaders({
    errorMessage: "SMTP 550 no such mailbox",
    retryCount: 0,
    originalTopic: "notification.commands.email",
    originalPartition: 0,
    originalOffset: "0",
    ...info,
  });
  return { topic, key: info.key, value: info.value ?? "{}", headers: { ...info.extraHeaders, ...headers } };
}

type Fixtures = Pick<KafkaFixtures, "kafka" | "logger" | "registry"> & { database: DbClient };

/** The service wired to the test's broker, database and unique topics, serving on a free port. */
export async function startDlqAdmin(
  fixtures: Fixtures,
  options: {
    topics: string[];
    groupId?: string;
    consume?: boolean;
    retryAllMax?: number;
    retryAllBatch?: number;
    /** Original topic → replay topic; tests replay to topics of their own. */
    replayTargets?: Record<string, string>;
    /** The delivery-events topic replay outcomes are learned from (a fresh one by default). */
    outcomesTopic?: string;
    /** Where originals of oversized dead letters arrive (a fresh one by default). */
    originalsTopic?: string;
    /** What the service produces replays with, around the real producer (e.g. to act after each ack). */
    replayProducer?: (producer: KafkaProducer) => KafkaProducer;
  },
) {
  const { kafka, logger, registry, database } = fixtures;
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  const service = createDlqAdmin({
    db: database.db,
    pingDb: database.ping,
    producer: options.replayProducer ? options.replayProducer(producer) : producer,
    listTopics: () => kafka.admin.listTopics(),
    connection: kafka.connection,
    logger,
    registry,
    auth: { jwtSecret: SECRET },
    topics: options.topics,
    groupId: options.groupId ?? kafka.groupId("dlq-admin"),
    outcomes: {
      topic: options.outcomesTopic ?? (await kafka.createTopic("deliveries")),
      groupId: kafka.groupId("dlq-outcomes"),
    },
    originals: {
      topic: options.originalsTopic ?? (await kafka.createTopic("originals")),
      groupId: kafka.groupId("dlq-originals"),
    },
    replayTargets: options.replayTargets ?? {},
    retryAllMax: options.retryAllMax ?? 1000,
    ...(options.retryAllBatch ? { retryAllBatch: options.retryAllBatch } : {}),
  });
  const server = await listen(service.app, 0, "127.0.0.1");
  if (options.consume !== false) {
    await Promise.all(service.runners.map((runner) => runner.start()));
  }
  service.health.setStarted(true);
  const base = `http://127.0.0.1:${server.port}`;
  const token = await operatorToken();
  return {
    base,
    producer,
    service,
    /** fetch with an operator's token (or `auth`), JSON body when given. */
    call(method: string, path: string, body?: unknown, auth: string | null = token) {
      return fetch(`${base}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async stop() {
      service.health.setShuttingDown(true);
      service.pending.stop();
      await Promise.all(service.runners.map((runner) => runner.stop(5_000)));
      await server.close();
      await producer.close();
    },
  };
}

/** Collects everything on `topic` from the beginning, with a fresh group. */
export async function collect(fixtures: Pick<Fixtures, "kafka" | "logger" | "registry">, topic: string) {
  const received: ConsumedMessage[] = [];
  const runner = createConsumerRunner({
    connection: fixtures.kafka.connection,
    groupId: fixtures.kafka.groupId("collect"),
    topics: [topic],
    logger: fixtures.logger,
    registry: fixtures.registry,
    startFrom: "earliest",
    handler: async (message) => {
      received.push(message);
    },
  });
  await runner.start();
  return { received, stop: () => runner.stop(2_000) };
}
