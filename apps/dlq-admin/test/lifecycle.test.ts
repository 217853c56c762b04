import { dbTest as test } from "@fluxnotify/db/testing";
import { type DeliveryEvent, deliveryEventPayload, REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { collect, deadLetter, present, startDlqAdmin, storedCount, unique } from "./harness";

type Detail = DlqItem & { audit: Array<{ action: string; actor: string }>; replayedInto: string[] };

const itemsOf = async (response: Response) => ((await response.json()) as { items: DlqItem[] }).items;

function deliveryEvent(status: DeliveryEvent["status"], notificationId: string): DeliveryEvent {
  const now = new Date().toISOString();
  return {
    v: 1,
    notificationId,
    status,
    channel: "EMAIL",
    tenantId: "tenant-a",
    userId: "user-1",
    eventId: unique("evt"),
    eventType: "com.fluxpay.payment.approved",
    recipient: "someone@example.com",
    createdAt: now,
    at: now,
  };
}

describe("dead-letter lifecycle", () => {
  test("retry-all called twice at once replays every pending dead letter exactly once", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, original] = await Promise.all([
      kafka.createTopic("dlq-order"),
      kafka.createTopic("orig-race"),
    ]);
    const code = unique("E_RACE");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], retryAllBatch: 7, replayTargets: { [original]: original } },
    );
    const replays = await collect({ kafka, logger, registry }, original);
    try {
      await admin.producer.send(
        Array.from({ length: 60 }, (_, i) =>
          deadLetter(dlq, { key: `k${i}`, originalTopic: original, errorCode: code }),
        ),
      );
      await eventually(async () => (await storedCount(database.sql, dlq)) === 60);
      const [a, b] = await Promise.all([
        admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code }),
        admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code }),
      ]);
      const results = (await Promise.all([a.json(), b.json()])) as Array<{ replayed: number }>;
      expect(results.map((r) => r.replayed).reduce((x, y) => x + y)).toBe(60);
      await eventually(() => replays.received.length >= 60, 20_000);
      expect(new Set(replays.received.map((m) => m.key)).size).toBe(60);
      expect(replays.received).toHaveLength(60);
      expect(replays.received.every((m) => m.headers[REPLAY_HEADERS.count] === "1")).toBe(true);
      const counts = await database.sql<{ replay_count: number; n: number }[]>`
        select replay_count, count(*)::int as n from dlq_messages where dlq_topic = ${dlq} group by replay_count`;
      expect(counts).toEqual([{ replay_count: 1, n: 60 }]);
    } finally {
      await replays.stop();
      await admin.stop();
    }
  });

  test("a delivered replay is RESOLVED; one that fails again is linked to a new dead letter", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, commands, deliveries] = await Promise.all([
      kafka.createTopic("dlq-payment"),
      kafka.createTopic("commands"),
      kafka.createTopic("deliveries"),
    ]);
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], replayTargets: { [commands]: commands }, outcomesTopic: deliveries },
    );
    const replays = await collect({ kafka, logger, registry }, commands);
    const [good, bad] = [unique("ntf"), unique("ntf")];
    const find = async (notificationId: string) =>
      present(
        await eventually(async () => {
          const [item] = await itemsOf(
            await admin.call("GET", `/api/v1/admin/dlq?eventId=${notificationId}`),
          );
          return item;
        }),
      );
    try {
      await admin.producer.send([
        deadLetter(dlq, {
          key: "k-good",
          originalTopic: commands,
          channel: "EMAIL",
          eventId: good,
          notificationId: good,
        }),
        deadLetter(dlq, {
          key: "k-bad",
          originalTopic: commands,
          channel: "EMAIL",
          eventId: bad,
          notificationId: bad,
        }),
      ]);
      const [first, second] = [await find(good), await find(bad)];
      for (const item of [first, second]) {
        expect((await admin.call("POST", `/api/v1/admin/dlq/${item.id}/retry`)).status).toBe(200);
      }
      await eventually(() => replays.received.length === 2);

      // What the channel worker does with the replays: one is sent, one fails again.
      const sent = deliveryEventPayload(deliveryEvent("SENT", good));
      const failed = deliveryEventPayload(deliveryEvent("FAILED", bad));
      await admin.producer.send([
        { ...sent, topic: deliveries, headers: { ...sent.headers, [REPLAY_HEADERS.of]: first.id } },
        { ...failed, topic: deliveries, headers: { ...failed.headers, [REPLAY_HEADERS.of]: second.id } },
        deadLetter(dlq, {
          key: "k-bad",
          originalTopic: commands,
          channel: "EMAIL",
          eventId: bad,
          notificationId: bad,
          errorMessage: "550 still no such mailbox",
          extraHeaders: { [REPLAY_HEADERS.of]: second.id, [REPLAY_HEADERS.count]: "1" },
        }),
      ]);

      const detailOf = async (id: string) =>
        (await (await admin.call("GET", `/api/v1/admin/dlq/${id}`)).json()) as Detail;
      const resolved = present(
        await eventually(async () => {
          const detail = await detailOf(first.id);
          return detail.status === "RESOLVED" ? detail : undefined;
        }),
      );
      expect(resolved.audit.map((entry) => entry.action)).toEqual(["STORED", "REPLAYED", "RESOLVED"]);
      expect((await admin.call("POST", `/api/v1/admin/dlq/${first.id}/retry`)).status).toBe(409);
      expect((await admin.call("DELETE", `/api/v1/admin/dlq/${first.id}`)).status).toBe(409);

      const failedAgain = present(
        await eventually(async () => {
          const detail = await detailOf(second.id);
          // Two consumers report this: the new dead letter (replayedInto) and the failed
          // outcome (FAILED_AGAIN); either may land first.
          const failedAgain = detail.audit.some((entry) => entry.action === "FAILED_AGAIN");
          return detail.replayedInto.length > 0 && failedAgain ? detail : undefined;
        }),
      );
      expect(failedAgain.status).toBe("REPLAYED");
      expect(failedAgain.audit.map((entry) => entry.action)).toEqual(["STORED", "REPLAYED", "FAILED_AGAIN"]);
      const [newId] = failedAgain.replayedInto;
      const newer = await detailOf(present(newId));
      expect(newer).toMatchObject({
        status: "PENDING",
        replayOf: second.id,
        errorMessage: "550 still no such mailbox",
      });
    } finally {
      await replays.stop();
      await admin.stop();
    }
  });

  test("a dead-lettered FluxPay record is replayed to the ingest replay topic, never to FluxPay's", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, fluxpay, replay] = await Promise.all([
      kafka.createTopic("dlq-payment"),
      kafka.createTopic("fluxpay.payment"),
      kafka.createTopic("replay.payment"),
    ]);
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], replayTargets: { [fluxpay]: replay } },
    );
    const [onFluxpay, onReplay] = await Promise.all([
      collect({ kafka, logger, registry }, fluxpay),
      collect({ kafka, logger, registry }, replay),
    ]);
    const eventId = unique("evt");
    // Binary-mode CloudEvent: the ce_* headers are part of the record and must travel with it.
    const value = Buffer.from('{"eventId":"x","amount":15000.00}');
    const ceHeaders = { ce_id: eventId, ce_type: "com.fluxpay.payment.approved", ce_tenantid: "tenant-a" };
    try {
      await admin.producer.send([
        deadLetter(dlq, {
          key: "tenant-a:pay-1",
          value,
          originalTopic: fluxpay,
          eventId,
          extraHeaders: ceHeaders,
        }),
      ]);
      const item = present(
        await eventually(async () => {
          const [found] = await itemsOf(await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}`));
          return found;
        }),
      );
      expect((await admin.call("POST", `/api/v1/admin/dlq/${item.id}/retry`)).status).toBe(200);
      const [replayed] = present(
        await eventually(() => (onReplay.received.length === 1 ? onReplay.received : undefined)),
      );
      expect(replayed?.key).toBe("tenant-a:pay-1");
      expect(replayed?.value?.equals(value)).toBe(true);
      expect(replayed?.headers).toEqual({
        ...ceHeaders,
        [REPLAY_HEADERS.of]: item.id,
        [REPLAY_HEADERS.count]: "1",
      });
      expect(onFluxpay.received).toHaveLength(0);
    } finally {
      await Promise.all([onFluxpay.stop(), onReplay.stop()]);
      await admin.stop();
    }
  });
});
