import { dbTest as test } from "@fluxnotify/db/testing";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { deadLetter, present, startDlqAdmin, storedCount, unique } from "./harness";

describe("DLQ consumer", () => {
  test("stores dead letters with every header field, tolerates garbled ones, never duplicates", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("dlq-payment", 2);
    const eventId = unique("evt");
    const garbledEvent = unique("evt-garbled");
    const failedAt = new Date("2026-02-04T10:30:05.123Z");
    const admin = await startDlqAdmin({ kafka, database, logger, registry }, { topics: [topic] });
    try {
      await admin.producer.send([
        deadLetter(topic, {
          key: "tenant-a:pay-1",
          value: JSON.stringify({ specversion: "1.0", id: eventId }),
          errorMessage: "SMTP 550 no such mailbox",
          errorCode: "EMAIL_REJECTED",
          retryCount: 3,
          originalTopic: "notification.commands.email",
          originalPartition: 4,
          originalOffset: "9007199254740993",
          channel: "EMAIL",
          eventId,
          notificationId: "nid-1",
          failedAt,
          extraHeaders: { "x-trace-id": "trace-1" },
        }),
        // Not UTF-8: shown as base64.
        deadLetter(topic, { key: "tenant-a:pay-2", value: Buffer.from([0xff, 0xfe, 0x00, 0x01]), eventId }),
        // Headers a careless producer might write: must still be stored, never dropped.
        {
          topic,
          key: "tenant-b:x\u0000y",
          value: "not json",
          headers: {
            "X-Event-Id": garbledEvent,
            "X-Original-Partition": "abc",
            "X-Retry-Count": "-1",
            "X-Failed-At": "yesterday",
            "X-Odd\u0000Header": "v\u0000",
          },
        },
        { topic, value: "no headers at all" },
      ]);

      const items = present(
        await eventually(async () => {
          const response = await admin.call("GET", `/api/v1/admin/dlq?eventId=${eventId}`);
          const body = (await response.json()) as { items: DlqItem[] };
          return body.items.length === 2 ? body.items : undefined;
        }),
      );
      const full = items.find((item) => item.key === "tenant-a:pay-1");
      const binary = items.find((item) => item.key === "tenant-a:pay-2");
      expect(full).toMatchObject({
        domain: "payment",
        dlqTopic: topic,
        originalTopic: "notification.commands.email",
        originalPartition: 4,
        originalOffset: "9007199254740993",
        channel: "EMAIL",
        eventId,
        notificationId: "nid-1",
        errorCode: "EMAIL_REJECTED",
        errorMessage: "SMTP 550 no such mailbox",
        retryCount: 3,
        failedAt: failedAt.toISOString(),
        status: "PENDING",
        replayCount: 0,
        lastReplayedAt: null,
        resolvedBy: null,
        key: "tenant-a:pay-1",
        value: JSON.stringify({ specversion: "1.0", id: eventId }),
        valueEncoding: "utf8",
      });
      expect(full?.headers).toMatchObject({
        "x-trace-id": "trace-1",
        "X-Channel": "EMAIL",
        "X-Retry-Count": "3",
      });
      expect(binary).toMatchObject({ value: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString("base64") });
      expect(binary?.valueEncoding).toBe("base64");

      const garbled = present(
        await eventually(async () => {
          const response = await admin.call("GET", `/api/v1/admin/dlq?eventId=${garbledEvent}`);
          return ((await response.json()) as { items: DlqItem[] }).items[0];
        }),
      );
      expect(garbled).toMatchObject({ originalTopic: "unknown", originalPartition: null, retryCount: 0 });
      expect(garbled.errorMessage).toContain("missing X-Original-Topic");
      expect(garbled.errorMessage).toContain("X-Original-Partition is not a valid number");
      expect(garbled.errorMessage).toContain("X-Failed-At is not an ISO-8601 time");
      expect(garbled.key).toBe("tenant-b:x\uFFFDy");
      expect(garbled.headers["X-Odd\uFFFDHeader"]).toBe("v\uFFFD");
      await eventually(async () => (await storedCount(database.sql, topic)) === 4);

      // The pending gauge refreshes asynchronously after each stored batch.
      const metrics = await eventually(async () => {
        const text = await (await fetch(`${admin.base}/metrics`)).text();
        return /dlq_messages_pending\{domain="payment"/.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/dlq_messages_stored_total\{domain="payment",channel="EMAIL"[^}]*\} 1/);
      expect((await fetch(`${admin.base}/readyz`)).status).toBe(200);
    } finally {
      await admin.stop();
    }

    // A new group re-reads the topic from the start: the same records are not stored twice.
    const group = kafka.groupId("dlq-admin-again");
    const again = await startDlqAdmin(
      { kafka, database, logger, registry: createMetricsRegistry("again") },
      { topics: [topic], groupId: group },
    );
    try {
      await eventually(async () => {
        const committed = [...(await kafka.admin.committedOffsets(group, topic)).values()];
        return committed.reduce((sum, offset) => sum + (offset > 0n ? offset : 0n), 0n) === 4n;
      });
      expect(await storedCount(database.sql, topic)).toBe(4);
    } finally {
      await again.stop();
    }
  });

  test("readiness fails while starting and while shutting down", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("dlq-order");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: [topic], consume: false },
    );
    try {
      expect((await fetch(`${admin.base}/readyz`)).status).toBe(503); // consumers not running yet
      await admin.service.runner.start();
      expect((await fetch(`${admin.base}/readyz`)).status).toBe(503); // the outcome consumer neither
      await admin.service.outcomeRunner.start();
      expect((await fetch(`${admin.base}/readyz`)).status).toBe(503); // nor the originals consumer
      await admin.service.originalsRunner.start();
      await eventually(async () => (await fetch(`${admin.base}/readyz`)).status === 200);
      admin.service.health.setShuttingDown(true);
      const response = await fetch(`${admin.base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "shutting_down" });
    } finally {
      await admin.stop();
    }
  });

  test("reads each dead letter's tenant from X-Tenant-Id or its value, and null where it cannot be read", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("dlq-tenants");
    const admin = await startDlqAdmin({ kafka, database, logger, registry }, { topics: [topic] });
    const cloudEvent = (tenantid: unknown) =>
      JSON.stringify({
        specversion: "1.0",
        id: "e1",
        type: "com.fluxpay.payment.approved",
        tenantid,
        data: {},
      });
    const cases: Array<
      [name: string, expected: string | null, value: Buffer | string, headers?: Record<string, string>]
    > = [
      ["header wins", "t-header", cloudEvent("t-value"), { "X-Tenant-Id": "t-header" }],
      ["lower-case header", "t-lower", "{}", { "x-tenant-id": "t-lower" }],
      ["structured", "t-structured", cloudEvent("t-structured")],
      [
        "string-wrapped",
        "t-wrapped",
        JSON.stringify(cloudEvent("t-wrapped")),
        { __TypeId__: "java.lang.String" },
      ],
      [
        "binary mode",
        "t-binary",
        JSON.stringify({ amount: 1 }),
        { ce_specversion: "1.0", ce_tenantid: "t-binary" },
      ],
      ["channel command", "t-command", JSON.stringify({ v: 1, notificationId: "n1", tenantId: "t-command" })],
      ["the default tenant", "__default__", cloudEvent("__default__")],
      [
        "unusable header, readable value",
        "t-fallback",
        cloudEvent("t-fallback"),
        { "X-Tenant-Id": "bad\u0000" },
      ],
      ["NUL in the tenant", null, cloudEvent("t\u0000x")],
      ["not a string", null, cloudEvent(42)],
      ["blank", null, cloudEvent("  ")],
      ["too long", null, cloudEvent("t".repeat(300))],
      ["not JSON", null, "tenantid=t-1"],
      ["not UTF-8", null, Buffer.concat([Buffer.from(cloudEvent("t-bytes")), Buffer.from([0xff])])],
      ["an array", null, JSON.stringify([{ tenantid: "t-array" }])],
      ["empty", null, ""],
    ];
    const events = cases.map(() => unique("evt-tenant"));
    try {
      await admin.producer.send(
        cases.map(([, , value, headers], n) =>
          deadLetter(topic, { eventId: events[n], value, ...(headers ? { extraHeaders: headers } : {}) }),
        ),
      );
      await eventually(async () => (await storedCount(database.sql, topic)) === cases.length);
      const found: string[] = [];
      const wanted: string[] = [];
      for (const [n, [name, expected]] of cases.entries()) {
        const response = await admin.call("GET", `/api/v1/admin/dlq?eventId=${events[n]}`);
        const [item] = ((await response.json()) as { items: DlqItem[] }).items;
        found.push(`${name}: ${item?.tenantId}`);
        wanted.push(`${name}: ${expected}`);
      }
      expect(found).toEqual(wanted);
    } finally {
      await admin.stop();
    }
  });
});
