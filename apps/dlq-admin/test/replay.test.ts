import { dbTest as test } from "@fluxnotify/db/testing";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { adminToken, collect, deadLetter, present, startDlqAdmin, storedCount, unique } from "./harness";

const itemsOf = async (response: Response) => ((await response.json()) as { items: DlqItem[] }).items;
/** The items once there are some (an empty array is truthy, so `eventually` needs undefined). */
const someOf = async (response: Response) => {
  const items = await itemsOf(response);
  return items.length > 0 ? items : undefined;
};

describe("replay and discard", () => {
  test("retry republishes the exact original record; discard keeps it for audit", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, original] = await Promise.all([
      kafka.createTopic("dlq-refund"),
      kafka.createTopic("orig-cmd", 3),
    ]);
    const eventId = unique("evt");
    const value = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0xff]); // not valid UTF-8
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], replayTargets: { [original]: original } },
    );
    const replays = await collect({ kafka, logger, registry }, original);
    try {
      await admin.producer.send([
        deadLetter(dlq, {
          key: "tenant-a:refund-7",
          value,
          originalTopic: original,
          eventId,
          channel: "SLACK",
          extraHeaders: { "x-trace-id": "trace-7", "x-event-id": eventId },
        }),
      ]);
      const [stored] = present(
        await eventually(async () => someOf(await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}`))),
      );
      if (!stored) throw new Error("dead letter not stored");

      const retried = await admin.call(
        "POST",
        `/api/v1/admin/dlq/${stored.id}/retry`,
        undefined,
        await adminToken("op-7"),
      );
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({
        id: stored.id,
        status: "REPLAYED",
        replayCount: 1,
        resolvedBy: "op-7",
      });

      const [replayed] = present(
        await eventually(() => (replays.received.length === 1 ? replays.received : undefined)),
      );
      expect(replayed?.key).toBe("tenant-a:refund-7");
      expect(replayed?.value?.equals(value)).toBe(true);
      expect(replayed?.headers).toEqual({
        "x-trace-id": "trace-7",
        "x-event-id": eventId,
        "X-Replay-Of": stored.id,
        "X-Replay-Count": "1",
      });

      // An explicit second retry of a REPLAYED dead letter is allowed and counted.
      const again = await admin.call("POST", `/api/v1/admin/dlq/${stored.id}/retry`);
      expect(await again.json()).toMatchObject({
        status: "REPLAYED",
        replayCount: 2,
        resolvedBy: "operator-1",
      });
      await eventually(() => replays.received.length === 2);
      expect(replays.received[1]?.headers["X-Replay-Count"]).toBe("2");

      const reason = "customer closed the account";
      const discarded = await admin.call(
        "DELETE",
        `/api/v1/admin/dlq/${stored.id}?reason=${encodeURIComponent(reason)}`,
      );
      expect(discarded.status).toBe(204);
      expect((await admin.call("DELETE", `/api/v1/admin/dlq/${stored.id}?reason=again`)).status).toBe(204);
      const conflict = await admin.call("POST", `/api/v1/admin/dlq/${stored.id}/retry`);
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get("content-type")).toContain("application/problem+json");
      expect(((await conflict.json()) as { detail: string }).detail).toContain("discarded");

      const [audited] = await itemsOf(
        await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}&status=DISCARDED`),
      );
      expect(audited).toMatchObject({
        id: stored.id,
        status: "DISCARDED",
        replayCount: 2,
        resolvedBy: "operator-1",
        discardReason: reason, // the first discard's reason stays on record
      });
      expect(audited?.resolvedAt).not.toBeNull();
      const detail = (await (await admin.call("GET", `/api/v1/admin/dlq/${stored.id}`)).json()) as {
        audit: Array<{ action: string; actor: string; detail: string | null }>;
      };
      expect(detail.audit.map((entry) => [entry.action, entry.actor])).toEqual([
        ["STORED", "system"],
        ["REPLAYED", "op-7"],
        ["REPLAYED", "operator-1"],
        ["DISCARDED", "operator-1"],
      ]);
      expect(detail.audit[1]?.detail).toBe(`replay 1 to ${original}`);
      expect(detail.audit[3]?.detail).toBe(reason);
      expect(
        await itemsOf(await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}&status=PENDING`)),
      ).toEqual([]);
      expect(replays.received).toHaveLength(2);
    } finally {
      await replays.stop();
      await admin.stop();
    }
  });

  test("retry refuses dead letters whose original topic is unknown or missing", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const dlq = await kafka.createTopic("dlq-order");
    const [noHeader, noTopic, notOurs] = [unique("evt"), unique("evt"), unique("evt")];
    const neverCreated = unique("test.never-created");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], replayTargets: { [neverCreated]: neverCreated } },
    );
    try {
      await admin.producer.send([
        { topic: dlq, key: "k", value: "v", headers: { "X-Event-Id": noHeader } },
        deadLetter(dlq, { eventId: noTopic, originalTopic: neverCreated }),
        // e.g. FluxPay's own topic under a name this deployment does not map: never written.
        deadLetter(dlq, { eventId: notOurs, originalTopic: unique("fluxpay.elsewhere") }),
      ]);
      for (const [eventId, detail] of [
        [noHeader, "X-Original-Topic"],
        [noTopic, "does not exist"],
        [notOurs, "not a topic this platform replays to"],
      ] as const) {
        const [item] = present(
          await eventually(async () =>
            someOf(await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}`)),
          ),
        );
        const response = await admin.call("POST", `/api/v1/admin/dlq/${item?.id}/retry`);
        expect(response.status).toBe(422);
        expect(((await response.json()) as { detail: string }).detail).toContain(detail);
        const [after] = await itemsOf(await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}`));
        expect(after).toMatchObject({ status: "PENDING", replayCount: 0 });
      }
    } finally {
      await admin.stop();
    }
  });

  test("retry-all replays only the pending dead letters matching its filters", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, original] = await Promise.all([
      kafka.createTopic("dlq-payment"),
      kafka.createTopic("orig-all"),
    ]);
    const code = unique("E_CODE");
    const other = unique("E_OTHER");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], replayTargets: { [original]: original } },
    );
    const replays = await collect({ kafka, logger, registry }, original);
    try {
      const letter = (key: string, channel: string, errorCode: string) =>
        deadLetter(dlq, { key, value: `value-${key}`, originalTopic: original, channel, errorCode });
      await admin.producer.send([
        letter("a", "EMAIL", code),
        letter("b", "SLACK", code),
        letter("c", "EMAIL", code),
        letter("d", "EMAIL", other),
        // Matches the filter but cannot be replayed: counted apart, left PENDING.
        deadLetter(dlq, { key: "e", originalTopic: unique("test.gone"), channel: "EMAIL", errorCode: code }),
      ]);
      await eventually(async () => (await storedCount(database.sql, dlq)) === 5);

      const first = await admin.call("POST", "/api/v1/admin/dlq/retry-all", {
        errorCode: code,
        channel: "EMAIL",
      });
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ replayed: 2, remaining: 0, unreplayable: 1 });
      await eventually(() => replays.received.length === 2);
      expect(replays.received.map((m) => m.key).sort()).toEqual(["a", "c"]);
      expect(replays.received.map((m) => m.value?.toString()).sort()).toEqual(["value-a", "value-c"]);

      const second = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      expect(await second.json()).toEqual({ replayed: 1, remaining: 0, unreplayable: 1 });
      await eventually(() => replays.received.length === 3);
      expect(replays.received[2]?.key).toBe("b");

      const untouched = await itemsOf(await admin.call("GET", `/api/v1/admin/dlq?errorCode=${other}`));
      expect(untouched.map((item) => item.status)).toEqual(["PENDING"]);
      const none = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      expect(await none.json()).toEqual({ replayed: 0, remaining: 0, unreplayable: 1 });
      expect(replays.received).toHaveLength(3);
    } finally {
      await replays.stop();
      await admin.stop();
    }
  });

  test("retry-all works in batches, is bounded per call, and splits large replays below the broker's request limit", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const [dlq, original] = await Promise.all([
      kafka.createTopic("dlq-order"),
      kafka.createTopic("orig-big"),
    ]);
    const code = unique("E_BIG");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [dlq], retryAllMax: 20, retryAllBatch: 8, replayTargets: { [original]: original } },
    );
    const replays = await collect({ kafka, logger, registry }, original);
    try {
      // 20 × 64 KiB per call to one partition: 1.25 MiB, more than one produce request may carry.
      const big = "x".repeat(64 * 1024);
      for (let batch = 0; batch < 3; batch++) {
        await admin.producer.send(
          Array.from({ length: 10 }, (_, i) =>
            deadLetter(dlq, {
              key: `k${batch * 10 + i}`,
              value: big,
              originalTopic: original,
              errorCode: code,
            }),
          ),
        );
      }
      await eventually(async () => (await storedCount(database.sql, dlq)) === 30);
      const first = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      expect(await first.json()).toEqual({ replayed: 20, remaining: 10, unreplayable: 0 });
      const second = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      expect(await second.json()).toEqual({ replayed: 10, remaining: 0, unreplayable: 0 });
      await eventually(() => replays.received.length === 30, 20_000);
      expect(new Set(replays.received.map((m) => m.key)).size).toBe(30);
      expect(replays.received.every((m) => m.value?.toString() === big)).toBe(true);
    } finally {
      await replays.stop();
      await admin.stop();
    }
  });
});
