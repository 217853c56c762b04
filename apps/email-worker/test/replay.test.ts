import {
  type DeliveryEvent,
  DLQ_HEADERS,
  defaultSettings,
  REPLAY_HEADERS,
} from "@fluxnotify/shared/contracts";
import { sampleCommand, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createRedis } from "@fluxnotify/shared/redis";
import { collectTopic, eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { inject } from "vitest";
import { createEmailRenderer } from "../src/email-renderer";
import { createSmtpTransport, emailStrategy } from "../src/strategy";
import { startSmtpServer } from "./smtp-server";

const FROM = "FluxPay <no-reply@fluxnotify.test>";

test("a replayed command goes to the address the settings hold now, once; a second replay only reports SENT", async ({
  kafka,
  logger,
  registry,
}) => {
  const smtp = await startSmtpServer({ rcptReplies: { "kim@bad.example": [550] } });
  const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
  const transport = createSmtpTransport({
    host: "127.0.0.1",
    port: smtp.port,
    secure: false,
    poolSize: 2,
    maxMessagesPerConnection: 500,
    timeoutMs: 2_000,
    from: FROM,
  });
  // The user's settings as query-api stores them; the user fixes the address midway.
  let email = "kim@bad.example";
  const lookups: string[] = [];
  const strategy = emailStrategy(transport, {
    from: FROM,
    renderer: createEmailRenderer(),
    currentSettings: async (tenantId, userId) => {
      lookups.push(`${tenantId}/${userId}`);
      return { ...defaultSettings(), contacts: { EMAIL: email }, locale: "en" };
    },
  });
  const harness = await startDeliveryHarness({ kafka, logger, registry, redis, strategy });
  const outcomes = await collectTopic({
    connection: kafka.connection,
    topic: harness.replayOutcomesTopic,
    logger,
    registry,
  });
  try {
    const command = sampleCommand("EMAIL", { destination: "kim@bad.example" });
    await harness.produce([command]);
    await eventually(() => harness.dlq.messages.length === 1);
    const dead = harness.dlq.messages[0];
    if (!dead) throw new Error("no dead letter");
    expect(dead.headers[DLQ_HEADERS.errorCode]).toBe("SMTP_550");
    expect(lookups).toEqual([]); // first sends use the address routed with the event

    email = "kim@good.example";
    const replay = {
      topic: harness.commandTopic,
      key: dead.key,
      value: dead.value ?? Buffer.alloc(0),
      headers: { [REPLAY_HEADERS.of]: "77", [REPLAY_HEADERS.count]: "1" },
    };
    await harness.producer.send([replay]);
    await eventually(() => smtp.received.length === 1);
    const to = smtp.received[0]?.mail.to;
    expect(to && !Array.isArray(to) ? to.text : "").toBe("kim@good.example");
    expect(smtp.received[0]?.mail.subject).toMatch(/payment/i); // the locale came from the settings too

    const replayEvents = () => harness.events.messages.filter((m) => m.headers[REPLAY_HEADERS.of] === "77");
    await eventually(() => replayEvents().length === 1);
    const sent = JSON.parse(replayEvents()[0]?.value?.toString() ?? "{}") as DeliveryEvent;
    expect(sent).toMatchObject({
      status: "SENT",
      notificationId: command.notificationId,
      recipient: "kim@good.example",
    });

    await harness.producer.send([{ ...replay, headers: { ...replay.headers, [REPLAY_HEADERS.count]: "2" } }]);
    await eventually(() => replayEvents().length === 2);
    expect(JSON.parse(replayEvents()[1]?.value?.toString() ?? "{}")).toMatchObject({ status: "SENT" });
    expect(smtp.received).toHaveLength(1);
    // dlq-admin reads copies of exactly these on the replay-outcomes topic.
    await eventually(() => outcomes.messages.length === 2);
    expect(outcomes.messages.map((m) => m.headers[REPLAY_HEADERS.of])).toEqual(["77", "77"]);
    expect(outcomes.messages.map((m) => m.value?.toString())).toEqual(
      replayEvents().map((m) => m.value?.toString()),
    );
  } finally {
    await outcomes.stop();
    await harness.close();
    transport.close();
    await redis.quit();
    await smtp.close();
  }
});
