import { randomBytes } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { type DeliveryEvent, deliveryEventPayload } from "@fluxnotify/shared/contracts";
import { createProducer } from "@fluxnotify/shared/kafka";
import { eventually } from "@fluxnotify/shared/testing";
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { createProjectionRunner, projectionLag } from "../src/projection/runner";
import {
  consumed,
  deliveryEvent,
  derivedStats,
  directProjector,
  projectionDeadLetters,
  snapshot,
  storedStats,
  uniqueTenant,
} from "./helpers";

describe("projection", () => {
  test("keeps statuses monotonic under out-of-order, duplicate and replayed events", async ({
    database,
    logger,
    registry,
  }) => {
    const project = directProjector(database.db, logger, registry);
    const tenant = uniqueTenant();
    const e = (id: string, status: DeliveryEvent["status"], extra: Partial<DeliveryEvent> = {}) =>
      deliveryEvent({ notificationId: `${tenant}-${id}`, tenantId: tenant, status, ...extra });

    // Batch 1: SENT before its PENDING; FAILED that a replay will later turn SENT; a
    // PENDING+FAILED+duplicate FAILED collapsed in one batch; a SKIPPED; an invalid record.
    await project([
      consumed(e("a", "SENT", { at: "2026-02-04T10:30:05Z", providerMessageId: "m-1" })),
      consumed(
        e("b", "FAILED", { reasonCode: "SMTP_550", errorMessage: "mailbox unavailable", attempts: 1 }),
      ),
      consumed(e("c", "PENDING")),
      consumed(e("c", "FAILED", { errorMessage: "first" })),
      consumed(e("c", "FAILED", { errorMessage: "second" })),
      consumed(e("d", "SKIPPED", { reasonCode: "CHANNEL_DISABLED", channel: "SLACK", recipient: null })),
      consumed("{not json"),
      consumed(e("f", "FAILED", { channel: "IN_APP" })),
      consumed(e("f", "SENT", { channel: "IN_APP" })),
    ]);
    // Batch 2: late PENDINGs, the dead letter replayed and SENT, duplicates.
    await project([
      consumed(e("a", "PENDING")),
      consumed(e("b", "SENT", { at: "2026-02-04T11:00:00Z", attempts: 2 })),
      consumed(e("d", "PENDING", { channel: "SLACK" })),
      consumed(e("a", "SENT")),
      consumed(e("g", "PENDING")),
    ]);
    // Batch 3: a FAILED arriving after SENT never downgrades it.
    await project([consumed(e("b", "FAILED")), consumed(e("c", "FAILED", { errorMessage: "third" }))]);

    const rows = await database.db.execute(
      sql`select notification_id, status, error_message, provider_message_id, sent_at from notification_log
          where tenant_id = ${tenant} order by notification_id`,
    );
    const byId = Object.fromEntries(rows.map((r) => [String(r.notification_id).slice(tenant.length + 1), r]));
    expect(Object.fromEntries(Object.entries(byId).map(([id, r]) => [id, r.status]))).toEqual({
      a: "SENT",
      b: "SENT",
      c: "FAILED",
      d: "SKIPPED",
      f: "SENT",
      g: "PENDING",
    });
    expect(byId.a?.provider_message_id).toBe("m-1");
    expect(byId.c?.error_message).toBe("first");
    expect(new Date(String(byId.b?.sent_at)).toISOString()).toBe("2026-02-04T11:00:00.000Z");

    // 10:30Z is 19:30 in Seoul: day 2026-02-04. b moved FAILED → SENT, so no failure remains for it.
    expect(await storedStats(database.db, [tenant])).toEqual([
      { tenant_id: tenant, date: "2026-02-04", channel: "EMAIL", sent: 2, failed: 1, skipped: 0 },
      { tenant_id: tenant, date: "2026-02-04", channel: "IN_APP", sent: 1, failed: 0, skipped: 0 },
      { tenant_id: tenant, date: "2026-02-04", channel: "SLACK", sent: 0, failed: 0, skipped: 1 },
    ]);
    expect(await storedStats(database.db, [tenant])).toEqual(await derivedStats(database.db, [tenant]));
    const invalid = await registry.getSingleMetric("projection_records_total")?.get();
    expect(invalid?.values.find((v) => v.labels.outcome === "invalid")?.value).toBe(1);
  });

  test("measures how late status changes reach the read model", async ({ database, logger, registry }) => {
    const project = directProjector(database.db, logger, registry);
    const tenant = uniqueTenant();
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
    await project([
      consumed(
        deliveryEvent({ notificationId: `${tenant}-late`, tenantId: tenant, status: "SENT", at: ago(120) }),
      ),
      consumed(
        deliveryEvent({ notificationId: `${tenant}-soon`, tenantId: tenant, status: "SENT", at: ago(3) }),
      ),
    ]);
    const delay = await registry.getSingleMetric("projection_event_delay_seconds")?.get();
    const bucket = (le: string) => delay?.values.find((v) => String(v.labels.le) === le)?.value;
    expect([bucket("5"), bucket("60"), bucket("300"), bucket("+Inf")]).toEqual([1, 1, 2, 2]);
    // The staleness gauge follows the newest change of the batch, not the oldest.
    const age = (await registry.getSingleMetric("projection_last_event_age_seconds")?.get())?.values[0]
      ?.value;
    expect(age).toBeGreaterThanOrEqual(3);
    expect(age).toBeLessThan(60);
  });

  test("cuts days in the tenant's time zone, default Asia/Seoul", async ({ database, logger, registry }) => {
    const project = directProjector(database.db, logger, registry);
    const utcTenant = uniqueTenant("utc");
    const seoulTenant = uniqueTenant("seoul");
    await database.db.execute(sql`insert into tenants (tenant_id, time_zone) values (${utcTenant}, 'UTC')`);
    const late = { status: "SENT" as const, createdAt: "2026-02-04T20:00:00Z", at: "2026-02-04T20:00:01Z" };
    await project([
      consumed(deliveryEvent({ notificationId: `${utcTenant}-1`, tenantId: utcTenant, ...late })),
      consumed(deliveryEvent({ notificationId: `${seoulTenant}-1`, tenantId: seoulTenant, ...late })),
    ]);
    const days = await storedStats(database.db, [utcTenant, seoulTenant]);
    expect(days.map((d) => [d.tenant_id, d.date])).toEqual(
      [
        [seoulTenant, "2026-02-05"],
        [utcTenant, "2026-02-04"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(days).toEqual(await derivedStats(database.db, [utcTenant, seoulTenant]));
  });

  test("replaying the whole topic with a new group leaves both tables identical", async ({
    database,
    kafka,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("delivery", 3);
    const tenants = [uniqueTenant("r1"), uniqueTenant("r2")];
    const statuses: DeliveryEvent["status"][][] = [
      ["PENDING", "SENT"],
      ["PENDING", "FAILED", "SENT"],
      ["SENT", "PENDING"],
      ["PENDING", "FAILED", "FAILED"],
      ["SKIPPED"],
      ["PENDING"],
      ["PENDING", "SENT", "SENT", "PENDING"],
    ];
    const events: DeliveryEvent[] = [];
    for (let n = 0; n < 140; n++) {
      const tenantId = tenants[n % 2] as string;
      const channel = (["EMAIL", "SLACK", "IN_APP"] as const)[n % 3];
      const createdAt = new Date(Date.UTC(2026, 1, 1 + (n % 5), (n * 7) % 24)).toISOString();
      for (const status of statuses[n % statuses.length] ?? []) {
        events.push(
          deliveryEvent({ notificationId: `${tenantId}-n${n}`, tenantId, channel, status, createdAt }),
        );
      }
    }
    const producer = createProducer({ connection: kafka.connection, logger, registry });
    await producer.send([
      ...events.map((event) => ({ ...deliveryEventPayload(event), topic })),
      { topic, key: "garbage", value: "not a delivery event" },
    ]);
    await producer.close();

    const dlq = await projectionDeadLetters(kafka, logger, registry);
    const runOnce = async (groupId: string) => {
      const runner = createProjectionRunner({
        connection: kafka.connection,
        groupId,
        topic,
        db: database.db,
        logger,
        registry,
        defaultTimeZone: "Asia/Seoul",
        maxBatchSize: 50,
        commitIntervalMs: 100,
        lagIntervalMs: 200,
        deadLetters: dlq.deadLetters,
      });
      await runner.start();
      try {
        await eventually(async () => {
          const { lag, partitions } = await projectionLag(runner);
          return Object.keys(partitions).length === 3 && lag === 0;
        }, 30_000);
      } finally {
        await runner.stop(5_000);
      }
    };

    try {
      await runOnce(kafka.groupId("projection-a"));
      const first = await snapshot(database.db, tenants);
      expect(first.log).toHaveLength(140);
      // Every distinct event once (the statuses above, a duplicate SENT or FAILED of one
      // notification at the same time is the same fact).
      const distinct = new Set(events.map((e) => `${e.notificationId}/${e.status}/${e.at}/${e.attempts}`));
      expect(first.timeline).toHaveLength(distinct.size);
      expect(await storedStats(database.db, tenants)).toEqual(await derivedStats(database.db, tenants));
      // The record that is not a delivery event: dead-lettered with its reason, not skipped.
      await eventually(() => dlq.payment.messages.length === 1);
      expect(dlq.payment.messages[0]?.headers["X-Error-Code"]).toBe("INVALID_DELIVERY_EVENT");

      await runOnce(kafka.groupId("projection-b"));
      expect(await snapshot(database.db, tenants)).toEqual(first);
    } finally {
      await dlq.close();
    }
  });
});

describe("projection poison", () => {
  test("a record the database refuses is isolated and dead-lettered; the rest of its batch is projected", async ({
    database,
    kafka,
    logger,
    registry,
  }) => {
    const topic = await kafka.createTopic("delivery-poison", 1);
    const tenant = uniqueTenant("poison");
    const dlq = await projectionDeadLetters(kafka, logger, registry);
    const event = (id: string, extra: Partial<DeliveryEvent> = {}) =>
      deliveryEvent({ notificationId: id, tenantId: tenant, status: "SENT", ...extra });
    // Valid by the schema, too large for the unique index (SQLSTATE 54000): only the
    // database can tell, so only isolation can save the batch.
    const unindexable = randomBytes(6_000).toString("base64");
    const producer = createProducer({ connection: kafka.connection, logger, registry });
    await producer.send(
      [
        event(`${tenant}-a`),
        event(unindexable),
        event(`${tenant}-b`),
        event(`${tenant}-c`, { recipient: "k\u0000m@example.com" }),
        event(`${tenant}-d`),
      ].map((e) => ({ ...deliveryEventPayload(e), topic })),
    );
    await producer.close();
    const runner = createProjectionRunner({
      connection: kafka.connection,
      groupId: kafka.groupId("projection-poison"),
      topic,
      db: database.db,
      logger,
      registry,
      defaultTimeZone: "Asia/Seoul",
      commitIntervalMs: 100,
      deadLetters: dlq.deadLetters,
    });
    await runner.start();
    try {
      await eventually(() => dlq.payment.messages.length === 2, 20_000);
      const log = await snapshot(database.db, [tenant]);
      expect(log.log.map((row) => row.notification_id).sort()).toEqual(
        [`${tenant}-a`, `${tenant}-b`, `${tenant}-d`].sort(),
      );
      const codes = dlq.payment.messages.map((m) => m.headers["X-Error-Code"]).sort();
      expect(codes).toEqual(["INVALID_DELIVERY_EVENT", "SQLSTATE_54000"]);
      const letter = dlq.payment.messages.find((m) => m.headers["X-Error-Code"] === "SQLSTATE_54000");
      expect(letter?.headers["X-Tenant-Id"]).toBe(tenant);
      expect(letter?.headers["X-Error-Message"]).toMatch(/^PostgreSQL 54000: index row/);
      await eventually(async () => (await projectionLag(runner)).lag === 0, 10_000);
    } finally {
      await runner.stop(2_000);
      await dlq.close();
    }
  });
});
