import { insertDlqMessages, type NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { collect, deadLetter, operatorToken, present, startDlqAdmin, storedCount, unique } from "./harness";

let seedOffset = BigInt(Date.now()) * 1000n;
/** A PENDING dead letter stored as the consumer would, on `dlqTopic`. */
const seed = (dlqTopic: string, overrides: Partial<NewDlqMessage>): NewDlqMessage => ({
  domain: "order",
  dlqTopic,
  dlqPartition: 0,
  dlqOffset: seedOffset++,
  originalTopic: "notification.commands.email",
  errorMessage: "SMTP 550 no such mailbox",
  failedAt: new Date(),
  headers: {},
  ...overrides,
});

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
        await operatorToken("op-7"),
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

  test("retry-all replays what was pending when it began, each once, while its own replays fail again", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const original = await kafka.createTopic("orig-again");
    const dlq = unique("test.dlq-again");
    const code = unique("E_AGAIN");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      {
        topics: ["unused"],
        consume: false,
        retryAllBatch: 4,
        retryAllMax: 100,
        replayTargets: { [original]: original },
        // Every replay fails again at once, as a worker whose provider still refuses: its new
        // PENDING dead letter (linked by replayOf) is stored before the call's next batch.
        replayProducer: (producer) => ({
          ...producer,
          async send(messages) {
            await producer.send(messages);
            await insertDlqMessages(
              database.db,
              messages.map((message) =>
                seed(dlq, {
                  errorCode: code,
                  originalTopic: original,
                  replayOf: BigInt(String(message.headers?.[REPLAY_HEADERS.of] ?? "0")),
                }),
              ),
            );
          },
        }),
      },
    );
    const rows = async () =>
      database.sql<{ id: string; status: string; replay_count: number; replay_of: string | null }[]>`
        select id::text, status, replay_count, replay_of::text from dlq_messages where dlq_topic = ${dlq} order by id`;
    try {
      await insertDlqMessages(
        database.db,
        Array.from({ length: 10 }, () => seed(dlq, { errorCode: code, originalTopic: original })),
      );
      const first = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      // Before: the call went on replaying its own failures until the cap (replayed: 100).
      expect(await first.json()).toEqual({ replayed: 10, remaining: 0, unreplayable: 0 });
      const afterFirst = await rows();
      const originals = afterFirst.filter((r) => r.replay_of === null);
      expect(originals.map((r) => [r.status, r.replay_count])).toEqual(Array(10).fill(["REPLAYED", 1]));
      const failedAgain = afterFirst.filter((r) => r.replay_of !== null);
      expect(failedAgain.map((r) => r.status)).toEqual(Array(10).fill("PENDING"));
      expect(failedAgain.map((r) => r.replay_of).sort()).toEqual(originals.map((r) => r.id).sort());

      // The next call takes exactly those ten, once each.
      const second = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      expect(await second.json()).toEqual({ replayed: 10, remaining: 0, unreplayable: 0 });
      const afterSecond = await rows();
      expect(afterSecond.filter((r) => r.status === "REPLAYED")).toHaveLength(20);
      expect(afterSecond.every((r) => r.replay_count <= 1)).toBe(true);
      expect(afterSecond.filter((r) => r.status === "PENDING")).toHaveLength(10);
    } finally {
      await admin.stop();
    }
  });

  test("retry-all's remaining leaves out what another call holds, and counts what the cap left", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const original = await kafka.createTopic("orig-remaining");
    const dlq = unique("test.dlq-remaining");
    const code = unique("E_REMAINING");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      {
        topics: ["unused"],
        consume: false,
        retryAllBatch: 2,
        retryAllMax: 3,
        replayTargets: { [original]: original },
      },
    );
    const stored = await insertDlqMessages(
      database.db,
      Array.from({ length: 7 }, () => seed(dlq, { errorCode: code, originalTopic: original })),
    );
    const held = stored.slice(0, 2).map((r) => String(r.id));
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lockTaken = () => {};
    const locked = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    // Another retry-all's batch, in the middle of its transaction, as it holds its rows.
    const otherCall = database.sql.begin(async (tx) => {
      await tx`select id from dlq_messages where id = any(${held}::bigint[]) for no key update`;
      lockTaken();
      await released;
    });
    try {
      await locked;
      const call = () => admin.call("POST", "/api/v1/admin/dlq/retry-all", { errorCode: code });
      // 5 not held: the cap (3) leaves 2; the 2 the other call holds are its to replay.
      expect(await (await call()).json()).toEqual({ replayed: 3, remaining: 2, unreplayable: 0 });
      expect(await (await call()).json()).toEqual({ replayed: 2, remaining: 0, unreplayable: 0 });
      release();
      await otherCall;
      // The other call ended without replaying them (it rolled back): they are anyone's again.
      expect(await (await call()).json()).toEqual({ replayed: 2, remaining: 0, unreplayable: 0 });
    } finally {
      release();
      await otherCall;
      await admin.stop();
    }
  });
});
