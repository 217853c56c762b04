import { createDbClient, runMigrations } from "@fluxnotify/db";
import { dbTest as test } from "@fluxnotify/db/testing";
import { deliveryEventPayload } from "@fluxnotify/shared/contracts";
import { createProducer } from "@fluxnotify/shared/kafka";
import { eventually } from "@fluxnotify/shared/testing";
import { sql } from "drizzle-orm";
import { describe, expect, inject } from "vitest";
import { rebuildReadModel } from "../src/projection/rebuild";
import { createProjectionRunner, projectionLag } from "../src/projection/runner";
import { deliveryEvent, projectionDeadLetters, snapshot, uniqueTenant } from "./helpers";

describe("rebuild", () => {
  // Its own database: the rebuild truncates whole tables, which other test files use.
  test("empties the read model and replays the topic from the beginning", async ({
    kafka,
    logger,
    registry,
  }) => {
    // Named after the test database, so runs on different test databases stay apart.
    const url = new URL(inject("databaseUrl"));
    url.pathname = `${url.pathname}_query_rebuild`;
    await runMigrations(url.toString());
    const database = createDbClient(url.toString(), { max: 2 });
    const topic = await kafka.createTopic("delivery-rebuild", 2);
    const groupId = kafka.groupId("projection");
    const tenant = uniqueTenant();
    const producer = createProducer({ connection: kafka.connection, logger, registry });
    await producer.send(
      Array.from({ length: 20 }, (_, n) => ({
        ...deliveryEventPayload(
          deliveryEvent({
            notificationId: `${tenant}-${n}`,
            tenantId: tenant,
            status: n % 2 ? "SENT" : "FAILED",
          }),
        ),
        topic,
      })),
    );
    await producer.close();
    const dlq = await projectionDeadLetters(kafka, logger, registry);
    const run = async () => {
      const runner = createProjectionRunner({
        connection: kafka.connection,
        groupId,
        topic,
        db: database.db,
        logger,
        registry,
        defaultTimeZone: "Asia/Seoul",
        commitIntervalMs: 100,
        lagIntervalMs: 200,
        deadLetters: dlq.deadLetters,
      });
      await runner.start();
      return runner;
    };
    try {
      const first = await run();
      await eventually(
        async () =>
          (await projectionLag(first)).lag === 0 && (await snapshot(database.db, [tenant])).log.length === 20,
      );
      const before = await snapshot(database.db, [tenant]);
      // A running projection blocks the rebuild.
      await expect(
        rebuildReadModel({ admin: kafka.admin, db: database.db, groupId, logger }),
      ).rejects.toThrow(/active members/);
      await first.stop(5_000);

      await rebuildReadModel({ admin: kafka.admin, db: database.db, groupId, logger });
      const emptied = await snapshot(database.db, [tenant]);
      expect([emptied.log, emptied.stats]).toEqual([[], []]);
      const [left] = await database.db.execute(sql`select count(*)::int as n from notification_events`);
      expect(left?.n).toBe(0);
      const second = await run();
      await eventually(async () => (await snapshot(database.db, [tenant])).stats.length === 1);
      await eventually(async () => (await projectionLag(second)).lag === 0);
      await second.stop(5_000);
      const after = await snapshot(database.db, [tenant]);
      const strip = (rows: Array<Record<string, unknown>>) =>
        rows.map(({ id: _id, updated_at: _u, ...rest }) => rest);
      expect(strip(after.log)).toEqual(strip(before.log));
      expect(strip(after.stats)).toEqual(strip(before.stats));
      expect(before.timeline).toHaveLength(20);
      expect(after.timeline).toEqual(before.timeline);
    } finally {
      await database.close();
      await dlq.close();
    }
  });
});
