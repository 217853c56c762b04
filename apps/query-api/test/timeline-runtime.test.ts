import { dbTest as test } from "@fluxnotify/db/testing";
import { REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import { sampleCommand, scriptedStrategy, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createRedis } from "@fluxnotify/shared/redis";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect, inject } from "vitest";
import { sign, startApi } from "./api-harness";
import { directProjector, uniqueTenant } from "./helpers";

type Timeline = {
  notification: { status: string; attempts: number | null };
  timeline: Array<{
    status: string;
    attempts: number | null;
    reasonCode: string | null;
    latencyMs: number | null;
  }>;
};

describe("timeline from a real channel worker", () => {
  test("two retries then SENT; a dead letter replayed, one retry, then SENT: every attempt on the timeline", async ({
    database,
    kafka,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("rt");
    const redis = createRedis(inject("redisUrl"), { logger, name: "test" });
    const retried = sampleCommand("EMAIL", { tenantId: tenant });
    const replayed = sampleCommand("EMAIL", { tenantId: tenant });
    const strategy = scriptedStrategy("EMAIL", {
      [retried.notificationId]: ["transient", "transient"],
      // Fails for good, then (replayed) once more, then goes.
      [replayed.notificationId]: ["permanent", "transient"],
    });
    const harness = await startDeliveryHarness({
      kafka,
      logger,
      registry,
      redis,
      strategy,
      runtime: { retry: { delaysMs: [100, 200, 400], jitterRatio: 0 } },
    });
    const project = directProjector(database.db, logger, registry);
    let projected = 0;
    // What the projection would read from the topic, in the batches it arrived in.
    const catchUp = async () => {
      const batch = harness.events.messages.slice(projected);
      projected += batch.length;
      await project(batch);
    };
    const api = await startApi({ database, logger, registry });
    const admin = await sign({ sub: "ops", tenant, roles: ["admin"] });
    const timelineOf = async (id: string) => {
      await catchUp();
      const response = await api.call("GET", `/api/v1/dashboard/deliveries/${id}`, admin);
      return response.body as unknown as Timeline;
    };
    const steps = (view: Timeline) => view.timeline.map((e) => [e.status, e.attempts, e.reasonCode]);
    try {
      await harness.produce([retried, replayed]);
      await eventually(() => harness.outcomes().length === 2);
      expect(steps(await timelineOf(retried.notificationId))).toEqual([
        ["PENDING", 1, "SCRIPTED_TRANSIENT"],
        ["PENDING", 2, "SCRIPTED_TRANSIENT"],
        ["SENT", 3, null],
      ]);
      const sent = await timelineOf(retried.notificationId);
      expect(sent.notification).toMatchObject({ status: "SENT", attempts: 3 });
      expect(sent.timeline.at(-1)?.latencyMs).toEqual(expect.any(Number));

      expect(steps(await timelineOf(replayed.notificationId))).toEqual([["FAILED", 1, "SCRIPTED_PERMANENT"]]);
      // dlq-admin's replay of the dead letter: the original record back on the command topic.
      await eventually(() => harness.dlq.messages.length === 1);
      const dead = harness.dlq.messages[0];
      await harness.producer.send([
        {
          topic: harness.commandTopic,
          key: dead?.key,
          value: dead?.value ?? Buffer.alloc(0),
          headers: { [REPLAY_HEADERS.of]: "1", [REPLAY_HEADERS.count]: "1" },
        },
      ]);
      await eventually(() => harness.outcomes().length === 3);
      const after = await timelineOf(replayed.notificationId);
      expect(steps(after)).toEqual([
        ["FAILED", 1, "SCRIPTED_PERMANENT"],
        ["PENDING", 1, "SCRIPTED_TRANSIENT"],
        ["SENT", 2, null],
      ]);
      expect(after.notification).toMatchObject({ status: "SENT", attempts: 2 });

      // The projection reading it all again (a redelivered batch, a rebuild) adds nothing.
      await project(harness.events.messages);
      expect(await timelineOf(replayed.notificationId)).toEqual(after);
    } finally {
      await api.close();
      await harness.close();
      await redis.quit();
    }
  });
});
