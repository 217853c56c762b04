import { createHash } from "node:crypto";
import type { DbClient } from "@fluxnotify/db";
import { inboxAfter, inboxHead } from "@fluxnotify/db/queries/inbox";
import { dbTest as test } from "@fluxnotify/db/testing";
import {
  type DeliveryEvent,
  DLQ_HEADERS,
  type InboxEvent,
  inAppChannel,
  inAppDestination,
  inboxEventsChannel,
} from "@fluxnotify/shared/contracts";
import { ELLIPSIS } from "@fluxnotify/shared/delivery";
import { sampleCommand, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createRedis } from "@fluxnotify/shared/redis";
import { compressingProducer, eventually, expect, type KafkaFixtures } from "@fluxnotify/shared/testing";
import { inject } from "vitest";
import { INAPP_BODY_MAX, INAPP_TITLE_MAX, type InAppMessage, inAppStrategy } from "../src/strategy";

async function setup(
  fixtures: Pick<KafkaFixtures, "kafka" | "logger" | "registry"> & { database: DbClient },
  { channelPrefix = "" } = {},
) {
  const { kafka, logger, registry, database } = fixtures;
  const redis = createRedis(inject("redisUrl"), { logger, name: "test-state" });
  const subscriber = createRedis(inject("redisUrl"), { logger, name: "test-sub" });
  const harness = await startDeliveryHarness({
    kafka,
    logger,
    registry,
    redis,
    strategy: inAppStrategy({ redis, sql: database.sql, ping: () => database.ping() }, { channelPrefix }),
  });
  return {
    redis,
    subscriber,
    harness,
    async close() {
      await harness.close();
      subscriber.disconnect();
      await redis.quit();
    },
  };
}

test("keeps the item in the inbox, publishes the CONTRACT §5 message and the inbox announcement, reports SENT, and never sends a duplicate", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const ctx = await setup({ kafka, logger, registry, database });
  try {
    const userId = `u-${Date.now()}`;
    const command = sampleCommand("IN_APP", {
      recipient: { userId, locale: "ko", timeZone: "Asia/Seoul" },
      destination: inAppDestination("tenant-a", userId),
    });
    const received: InAppMessage[] = [];
    const announced: InboxEvent[] = [];
    await ctx.subscriber.subscribe(
      inAppChannel("", "tenant-a", userId),
      inboxEventsChannel("", "tenant-a", userId),
    );
    ctx.subscriber.on("message", (channel: string, raw: string) => {
      if (channel === inAppChannel("", "tenant-a", userId)) received.push(JSON.parse(raw) as InAppMessage);
      else announced.push(JSON.parse(raw) as InboxEvent);
    });

    await ctx.harness.produce([command]);
    await eventually(() => received.length === 1 && ctx.harness.events.messages.length === 1);
    expect(received[0]).toEqual({
      notificationId: command.notificationId,
      eventType: "com.fluxpay.payment.approved",
      title: "결제가 완료되었습니다",
      body: "15,000원 결제가 승인되었습니다.",
      createdAt: command.createdAt,
      data: command.templateData,
    });
    // Kept in the inbox, unread, as the feed serves it (createdAt to the millisecond, UTC).
    const inbox = await inboxAfter(database.sql, "tenant-a", userId, 0, 10);
    const stored = { ...received[0], createdAt: new Date(command.createdAt).toISOString() };
    expect(inbox).toEqual([{ seq: 1, item: { ...stored, readAt: null } }]);
    expect(await inboxHead(database.sql, "tenant-a", userId)).toEqual({
      lastSeq: 1,
      unreadCount: 1,
      version: 1,
    });
    await eventually(() => announced.length === 1);
    expect(announced[0]).toEqual({
      type: "notification",
      seq: 1,
      message: stored,
      unread: { unreadCount: 1, version: 1 },
    });

    const [sent] = ctx.harness.events.values<DeliveryEvent>();
    expect(sent).toMatchObject({
      status: "SENT",
      notificationId: command.notificationId,
      attempts: 1,
      channel: "IN_APP",
    });
    expect(sent?.providerMessageId).toBe("inbox-seq-1");
    expect(sent?.latencyMs).toBeGreaterThanOrEqual(0);

    // Redelivery / replay of the same command: not published again, no second event.
    await ctx.harness.produce([command]);
    const duplicates = await eventually(async () => {
      const metric = await registry.getSingleMetric("delivery_duplicates_total")?.get();
      return metric?.values.find((v) => v.labels.channel === "IN_APP")?.value;
    });
    expect(duplicates).toBe(1);
    expect(received).toHaveLength(1);
    expect(ctx.harness.events.messages).toHaveLength(1);
    expect(await inboxHead(database.sql, "tenant-a", userId)).toEqual({
      lastSeq: 1,
      unreadCount: 1,
      version: 1,
    });
  } finally {
    await ctx.close();
  }
});

test("numbers a user's items 1..n without gaps under concurrent sends, each once, the count exact", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const ctx = await setup({ kafka, logger, registry, database });
  try {
    const userId = `seq-${Date.now()}`;
    const commands = Array.from({ length: 120 }, () =>
      sampleCommand("IN_APP", {
        recipient: { userId, locale: "en", timeZone: "UTC" },
        destination: inAppDestination("tenant-a", userId),
      }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.events.messages.length === 120, 20_000);
    const inbox = await inboxAfter(database.sql, "tenant-a", userId, 0, 500);
    expect(inbox.map((entry) => entry.seq)).toEqual(commands.map((_, n) => n + 1));
    expect(new Set(inbox.map((entry) => entry.item.notificationId))).toEqual(
      new Set(commands.map((command) => command.notificationId)),
    );
    expect(await inboxHead(database.sql, "tenant-a", userId)).toEqual({
      lastSeq: 120,
      unreadCount: 120,
      version: 120,
    });
  } finally {
    await ctx.close();
  }
});

test("dead-letters a command for another user's channel at once, and an unparseable one", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const ctx = await setup({ kafka, logger, registry, database });
  try {
    const command = sampleCommand("IN_APP", { destination: "notifications:tenant-a:someone-else" });
    await ctx.harness.produce([command]);
    await ctx.harness.producer.send([
      { topic: ctx.harness.commandTopic, key: "tenant-a:x", value: '{"v":1,"domain":"payment","oops":true}' },
    ]);
    // Accepted by the broker compressed, too large to dead-letter as it is.
    const huge = `{"v":1,"domain":"payment","pad":"${"x".repeat(1_500_000)}"}`;
    const compressing = compressingProducer({ kafka, logger, registry });
    await compressing.send([{ topic: ctx.harness.commandTopic, key: "tenant-a:huge", value: huge }]);
    await compressing.close();
    await eventually(() => ctx.harness.dlq.messages.length === 3 && ctx.harness.events.messages.length === 1);
    // Different keys are handled concurrently: dead letters may arrive in either order.
    const first = ctx.harness.dlq.messages.find((m) => m.key === `tenant-a:${command.recipient.userId}`);
    const second = ctx.harness.dlq.messages.find((m) => m.key === "tenant-a:x");
    expect(JSON.parse(first?.value?.toString() ?? "")).toEqual(command);
    expect(first?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "INAPP_DESTINATION_INVALID",
      [DLQ_HEADERS.retryCount]: "0",
      [DLQ_HEADERS.channel]: "IN_APP",
      [DLQ_HEADERS.eventId]: command.eventId,
      [DLQ_HEADERS.notificationId]: command.notificationId,
      [DLQ_HEADERS.originalTopic]: ctx.harness.commandTopic,
      [DLQ_HEADERS.originalPartition]: "0",
      [DLQ_HEADERS.originalOffset]: "0",
    });
    // Each header once: the command's own x-event-id does not sit beside X-Event-Id.
    expect(Object.keys(first?.headers ?? {}).filter((name) => /^x-event-id$/i.test(name))).toEqual([
      DLQ_HEADERS.eventId,
    ]);
    const digest = ctx.harness.dlq.messages.find((m) => m.key === "tenant-a:huge");
    expect(digest?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "COMMAND_INVALID",
      [DLQ_HEADERS.valueReplaced]: "oversized",
      [DLQ_HEADERS.valueSha256]: createHash("sha256").update(huge).digest("hex"),
      [DLQ_HEADERS.originalKept]: ctx.harness.originalsTopic,
    });
    expect(second?.headers[DLQ_HEADERS.errorCode]).toBe("COMMAND_INVALID");
    expect(second?.headers[DLQ_HEADERS.errorMessage]).toMatch(/invalid channel command/);
    expect(ctx.harness.events.values<DeliveryEvent>()[0]).toMatchObject({
      status: "FAILED",
      reasonCode: "INAPP_DESTINATION_INVALID",
      attempts: 0,
    });
  } finally {
    await ctx.close();
  }
});

test("INAPP_CHANNEL_PREFIX: publishes and announces under the prefix only; title and body are clean and bounded, data raw", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const prefix = `blue-${Date.now()}:`;
  const ctx = await setup({ kafka, logger, registry, database }, { channelPrefix: prefix });
  try {
    const tenantId = "__default__"; // FluxPay's tenant-less records: a tenant like any other
    const userId = `p-${Date.now()}`;
    const planName = `\u202EPro\u2066\u0007 ${"🚀".repeat(5_000)}`;
    const command = sampleCommand("IN_APP", {
      eventType: "com.fluxpay.subscription.renewed",
      tenantId,
      recipient: { userId, locale: "ko", timeZone: "Asia/Seoul" },
      destination: inAppDestination(tenantId, userId),
    });
    command.templateData = { ...command.templateData, planName, amount: "23500.50", currency: "KRW" };
    const prefixed: InAppMessage[] = [];
    const unprefixed: string[] = [];
    ctx.subscriber.on("message", (channel: string, raw: string) => {
      if (channel === inAppChannel(prefix, tenantId, userId)) prefixed.push(JSON.parse(raw) as InAppMessage);
      else unprefixed.push(channel);
    });
    await ctx.subscriber.subscribe(
      inAppChannel(prefix, tenantId, userId),
      inAppChannel("", tenantId, userId),
    );

    await ctx.harness.produce([command]);
    await eventually(() => prefixed.length === 1 && ctx.harness.events.messages.length === 1);
    expect(unprefixed).toEqual([]);
    expect(ctx.harness.events.values<DeliveryEvent>()[0]).toMatchObject({ status: "SENT", tenantId });
    expect((await inboxHead(database.sql, tenantId, userId)).lastSeq).toBe(1);

    const [message] = prefixed;
    expect([...(message?.title ?? "")].length).toBeLessThanOrEqual(INAPP_TITLE_MAX);
    const body = message?.body ?? "";
    expect([...body].length).toBeLessThanOrEqual(INAPP_BODY_MAX);
    expect(body).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
    expect(body.startsWith("Pro 🚀🚀")).toBe(true);
    expect(body).toContain(`${ELLIPSIS} 구독이 23,500.50원에 갱신되었습니다.`);
    expect(message?.data.planName).toBe(planName); // the raw value, untouched
  } finally {
    await ctx.close();
  }
});
