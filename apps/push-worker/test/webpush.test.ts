import { type DeliveryEvent, DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { SAMPLE_TEMPLATE_DATA } from "@fluxnotify/shared/delivery/testing";
import { eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { startWebPushService } from "@fluxnotify/shared/testing/push";
import { PUSH_PAYLOAD_MAX_BYTES } from "../src/payload";
import { pushCommand, removedCount, startPushContext, TEST_VAPID } from "./context";

const hex = (uuid: string) => uuid.replaceAll("-", "");
const outcomeOf = (events: DeliveryEvent[], notificationId: string) =>
  events.find((event) => event.notificationId === notificationId);

test("each device gets one encrypted push: the §5 JSON, TTL, Urgency, Topic and a VAPID token; a redelivery is not sent again", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`], openUrl: "https://app.example.com/notifications" },
  );
  try {
    const phone = service.createBrowserSubscription();
    const laptop = service.createBrowserSubscription();
    const [phoneId, laptopId] = [await ctx.addWebPush(phone), await ctx.addWebPush(laptop)];
    // One event, two devices of user-1: two commands, one per device (as ingest fans out).
    // The ingest worker names the device in `display` (channels/push.ts); history shows that.
    const failed = pushCommand(phoneId, {
      eventType: "com.fluxpay.payment.failed",
      display: "webpush 127.0.0.1 (Phone)",
    });
    const failedOnLaptop = pushCommand(laptopId, {
      eventType: "com.fluxpay.payment.failed",
      eventId: failed.eventId,
    });
    const approved = pushCommand(phoneId, {
      recipient: { userId: "user-1", locale: "en", timeZone: "Asia/Seoul" },
    });
    await ctx.harness.produce([failed, failedOnLaptop, approved]);
    await eventually(() => ctx.harness.outcomes().length === 3, 15_000);

    expect(service.rejected).toEqual([]);
    expect(service.accepted()).toHaveLength(3);
    const onPhone = service.accepted().filter((push) => push.endpoint === phone.endpoint);
    const onLaptop = service.accepted().filter((push) => push.endpoint === laptop.endpoint);
    expect(onPhone).toHaveLength(2);
    expect(onLaptop).toHaveLength(1);

    const failedPush = onPhone.find((push) =>
      (push.payload as { eventType: string }).eventType.endsWith("failed"),
    );
    expect(failedPush?.payload).toEqual({
      notificationId: failed.notificationId,
      eventType: "com.fluxpay.payment.failed",
      title: "결제에 실패했습니다",
      body: "39,900원 결제에 실패했습니다.",
      createdAt: failed.createdAt,
      data: SAMPLE_TEMPLATE_DATA["com.fluxpay.payment.failed"],
      url: `https://app.example.com/notifications?notificationId=${failed.notificationId}`,
    });
    expect(failedPush).toMatchObject({ ttl: 86_400, urgency: "high", topic: hex(failed.notificationId) });
    const approvedPush = onPhone.find((push) => push !== failedPush);
    expect(approvedPush?.payload).toMatchObject({
      notificationId: approved.notificationId,
      title: "Payment approved",
      body: "Your payment of ₩15,000 was approved.",
    });
    expect(approvedPush).toMatchObject({
      ttl: 86_400,
      urgency: "normal",
      topic: hex(approved.notificationId),
    });
    expect(onLaptop[0]?.payload).toMatchObject({ notificationId: failedOnLaptop.notificationId });

    // RFC 8292: aud is the push service's origin, a contact, at most 24 h, the configured key.
    for (const push of service.accepted()) {
      expect(push.vapid).toMatchObject({
        aud: service.origin,
        sub: "mailto:ops@fluxnotify.example",
        publicKey: TEST_VAPID.publicKey,
      });
      expect(push.vapid.exp * 1000).toBeGreaterThan(Date.now());
      expect(push.vapid.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    }
    // One token per push service, reused (RFC 8292 §2), not one signature per message.
    expect(new Set(service.accepted().map((push) => push.vapid.token)).size).toBe(1);

    const events = ctx.harness.outcomes();
    expect(outcomeOf(events, failed.notificationId)).toMatchObject({
      status: "SENT",
      attempts: 1,
      recipient: "webpush 127.0.0.1 (Phone)",
    });
    // A command without `display` (issued before it existed) shows the definition's fallback.
    expect(outcomeOf(events, failedOnLaptop.notificationId)).toMatchObject({
      status: "SENT",
      recipient: `device ${laptopId}`,
    });

    await ctx.harness.produce([failed, failedOnLaptop]);
    await eventually(async () => {
      const metric = await registry.getSingleMetric("delivery_duplicates_total")?.get();
      return metric?.values.some((v) => v.labels.channel === "PUSH" && v.value === 2);
    });
    expect(service.received).toHaveLength(3);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await service.close();
  }
});

test("410 and 404 remove the subscription and end SKIPPED; a deleted or moved subscription is skipped without a request", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`] },
  );
  try {
    const expired = service.createBrowserSubscription();
    const unknown = service.createBrowserSubscription();
    const deleted = service.createBrowserSubscription();
    const moved = service.createBrowserSubscription();
    service.script(expired.endpoint, [{ status: 410, body: '{"errno":106,"message":"expired"}' }]);
    service.script(unknown.endpoint, [{ status: 404 }]);
    const expiredId = await ctx.addWebPush(expired);
    const unknownId = await ctx.addWebPush(unknown);
    const deletedId = await ctx.addWebPush(deleted);
    await ctx.schema.client.sql`delete from push_subscriptions where id = ${deletedId}::uuid`;
    const movedId = await ctx.addWebPush(moved);
    await ctx.addWebPush(moved, { userId: "user-2" }); // the browser now belongs to user-2: the same row

    const commands = [expiredId, unknownId, deletedId, movedId].map((id) => pushCommand(id));
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.outcomes().length === 4, 15_000);

    const [gone410, gone404, removed, movedAway] = commands.map((c) =>
      outcomeOf(ctx.harness.outcomes(), c.notificationId),
    );
    for (const event of [gone410, gone404]) {
      expect(event).toMatchObject({ status: "SKIPPED", reasonCode: "PUSH_SUBSCRIPTION_GONE", attempts: 1 });
      expect(event?.errorMessage).toMatch(
        new RegExp(`push service 127\\.0\\.0\\.1:${service.port} answered 4`),
      );
    }
    expect(gone410?.errorMessage).toMatch(/410 \(\{"errno":106,"message":"expired"\}\)/);
    expect(await ctx.rows(expiredId)).toBe(0);
    expect(await ctx.rows(unknownId)).toBe(0);
    // Two rows deleted; the already deleted and the moved one were never a clean-up.
    expect(await removedCount(registry, "webpush", "PUSH_SUBSCRIPTION_GONE")).toBe(2);
    const sent = await registry.getSingleMetric("delivery_send_duration_seconds")?.get();
    expect(
      sent?.values.filter((v) => v.labels.le === "+Inf").map((v) => [v.labels.provider, v.value]),
    ).toEqual(
      expect.arrayContaining([
        ["webpush", 2],
        ["none", 2],
      ]),
    );
    for (const event of [removed, movedAway])
      expect(event).toMatchObject({ status: "SKIPPED", reasonCode: "PUSH_SUBSCRIPTION_REMOVED" });
    expect(await ctx.rows(movedId)).toBe(1); // user-2's device now: kept
    expect(service.received.map((push) => push.endpoint).sort()).toEqual(
      [expired.endpoint, unknown.endpoint].sort(),
    );
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await service.close();
  }
});

test("413, 400 and keys that cannot encrypt are dead-lettered at once with their code", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`] },
  );
  try {
    const big = service.createBrowserSubscription();
    const bad = service.createBrowserSubscription();
    const broken = service.createBrowserSubscription();
    service.script(big.endpoint, [{ status: 413 }]);
    service.script(bad.endpoint, [{ status: 400, body: `bad request for ${bad.endpoint}` }]);
    const bigId = await ctx.addWebPush(big);
    const badId = await ctx.addWebPush(bad);
    // 65 bytes starting 0x04 that are (almost surely) no point on P-256.
    const notAPoint = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url");
    const brokenId = await ctx.addWebPush({ ...broken, keys: { ...broken.keys, p256dh: notAPoint } });
    const commands = [bigId, badId, brokenId].map((id) => pushCommand(id));
    await ctx.harness.produce(commands);
    await eventually(
      () => ctx.harness.dlq.messages.length === 3 && ctx.harness.outcomes().length === 3,
      15_000,
    );

    const deadLetter = (notificationId: string) =>
      ctx.harness.dlq.messages.find((m) => m.headers[DLQ_HEADERS.notificationId] === notificationId)?.headers;
    const [tooLarge, badRequest, keys] = commands.map((c) => deadLetter(c.notificationId));
    expect(tooLarge).toMatchObject({
      [DLQ_HEADERS.errorCode]: "PUSH_PAYLOAD_TOO_LARGE",
      [DLQ_HEADERS.retryCount]: "0",
      [DLQ_HEADERS.channel]: "PUSH",
    });
    expect(badRequest?.[DLQ_HEADERS.errorCode]).toBe("PUSH_HTTP_400");
    // The service echoed the endpoint: only its host is kept.
    expect(badRequest?.[DLQ_HEADERS.errorMessage]).toContain(`bad request for 127.0.0.1:${service.port}`);
    expect(badRequest?.[DLQ_HEADERS.errorMessage]).not.toContain(new URL(bad.endpoint).pathname);
    expect(keys?.[DLQ_HEADERS.errorCode]).toBe("PUSH_SUBSCRIPTION_KEYS_INVALID");
    expect(service.received.map((push) => push.endpoint).sort()).toEqual([big.endpoint, bad.endpoint].sort());
    expect(ctx.harness.outcomes().every((e) => e.status === "FAILED" && e.attempts === 1)).toBe(true);
    expect(await ctx.rows(bigId)).toBe(1); // permanent failures keep the device
  } finally {
    await ctx.close();
    await service.close();
  }
});

test("429 with Retry-After and 5xx are retried, then SENT with the attempts counted", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`] },
  );
  try {
    const limited = service.createBrowserSubscription();
    const flaky = service.createBrowserSubscription();
    service.script(limited.endpoint, [{ status: 429, headers: { "retry-after": "2" } }]);
    service.script(flaky.endpoint, [{ status: 500 }, { status: 503 }]);
    const commands = [pushCommand(await ctx.addWebPush(limited)), pushCommand(await ctx.addWebPush(flaky))];
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.outcomes().length === 2, 20_000);

    const times = (endpoint: string) =>
      service.received.filter((p) => p.endpoint === endpoint).map((p) => p.at);
    const [first = 0, second = 0] = times(limited.endpoint);
    expect(second - first).toBeGreaterThanOrEqual(1_950); // Retry-After: 2, not the 1 s backoff
    const flakyTimes = times(flaky.endpoint);
    expect(flakyTimes).toHaveLength(3);
    expect((flakyTimes[1] ?? 0) - (flakyTimes[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect((flakyTimes[2] ?? 0) - (flakyTimes[1] ?? 0)).toBeGreaterThanOrEqual(1_950);

    const [limitedOutcome, flakyOutcome] = commands.map((c) =>
      outcomeOf(ctx.harness.outcomes(), c.notificationId),
    );
    expect(limitedOutcome).toMatchObject({ status: "SENT", attempts: 2 });
    expect(flakyOutcome).toMatchObject({ status: "SENT", attempts: 3 });
    // The wait is visible in the read model while it lasts: one PENDING per retry.
    expect(
      ctx.harness
        .delays()
        .map((e) => e.reasonCode)
        .sort(),
    ).toEqual(["PUSH_RATE_LIMITED", "PUSH_SERVER_ERROR", "PUSH_SERVER_ERROR"]);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await service.close();
  }
});

test("an endpoint whose host is not allow-listed, or plain http, is dead-lettered without a connection", async ({
  kafka,
  logger,
  registry,
}) => {
  const listed = await startWebPushService();
  const unlisted = await startWebPushService();
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${listed.port}`, "push.example.com"] },
  );
  try {
    const ids = [
      await ctx.addWebPush(unlisted.createBrowserSubscription()),
      await ctx.addWebPush(listed.createBrowserSubscription("https://evil.example.invalid/push")),
      await ctx.addWebPush(listed.createBrowserSubscription("http://push.example.com/push")),
    ];
    await ctx.harness.produce(ids.map((id) => pushCommand(id)));
    await eventually(() => ctx.harness.dlq.messages.length === 3, 15_000);
    const headers = ctx.harness.dlq.messages.map((m) => m.headers);
    expect(headers.map((h) => h[DLQ_HEADERS.errorCode])).toEqual([
      "PUSH_ENDPOINT_NOT_ALLOWED",
      "PUSH_ENDPOINT_NOT_ALLOWED",
      "PUSH_ENDPOINT_NOT_ALLOWED",
    ]);
    expect(headers[0]?.[DLQ_HEADERS.errorMessage]).toMatch(
      new RegExp(`host 127\\.0\\.0\\.1:${unlisted.port} is not on the allow-list \\(PUSH_ALLOWED_HOSTS\\)`),
    );
    expect(headers[2]?.[DLQ_HEADERS.errorMessage]).toMatch(/must use https/);
    expect(unlisted.connections).toBe(0);
    expect(listed.connections).toBe(0);
    expect(await ctx.rows(ids[0] ?? "")).toBe(1);
  } finally {
    await ctx.close();
    await Promise.all([listed.close(), unlisted.close()]);
  }
});

test("a push service that is down pauses the channel: nothing is dead-lettered, and all is SENT once it is back", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`] },
  );
  try {
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        ctx.addWebPush(service.createBrowserSubscription(), { tenantId: `tenant-${i}`, userId: `user-${i}` }),
      ),
    );
    await service.stop();
    const commands = ids.map((id, i) =>
      pushCommand(id, {
        tenantId: `tenant-${i}`,
        recipient: { userId: `user-${i}`, locale: "ko", timeZone: "Asia/Seoul" },
      }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.runtime.breaker.state === "open");
    expect(ctx.harness.runtime.runner.paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(ctx.harness.dlq.messages).toHaveLength(0);
    expect(ctx.harness.outcomes()).toHaveLength(0);
    expect(ctx.harness.delays()[0]).toMatchObject({ status: "PENDING", reasonCode: "PROVIDER_DOWN" });

    await service.start();
    await eventually(() => ctx.harness.outcomes().length === 5, 15_000);
    expect(ctx.harness.runtime.breaker.state).toBe("closed");
    expect(ctx.harness.outcomes().every((e) => e.status === "SENT" && e.attempts === 1)).toBe(true);
    expect(new Set(service.accepted().map((push) => push.endpoint)).size).toBe(5);
    expect(service.accepted()).toHaveLength(5);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await service.close();
  }
});

test("event data of any size still fits one push message: data shrinks before the words do", async ({
  kafka,
  logger,
  registry,
}) => {
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [`127.0.0.1:${service.port}`] },
  );
  try {
    const id = await ctx.addWebPush(service.createBrowserSubscription());
    const base = SAMPLE_TEMPLATE_DATA["com.fluxpay.payment.failed"] ?? {};
    const command = pushCommand(id, {
      eventType: "com.fluxpay.payment.failed",
      templateData: {
        ...base,
        errorMessage: "한도 초과 ".repeat(20_000),
        orderId: "o".repeat(50_000),
        nested: { a: 1 },
      },
    });
    await ctx.harness.produce([command]);
    await eventually(() => ctx.harness.outcomes().length === 1, 15_000);
    expect(ctx.harness.outcomes()[0]).toMatchObject({ status: "SENT" });
    const [push] = service.accepted();
    expect(Buffer.byteLength(push?.text ?? "")).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(push?.bytes).toBeLessThanOrEqual(4096);
    const payload = push?.payload as { title: string; body: string; data: Record<string, unknown> };
    expect(payload.title).toBe("결제에 실패했습니다");
    expect(payload.body.startsWith("39,900원 결제에 실패했습니다")).toBe(true);
    expect(payload.data.paymentId).toBe(base.paymentId);
    expect(String(payload.data.orderId).length).toBeLessThanOrEqual(100);
    expect(payload.data.nested).toBeUndefined();
  } finally {
    await ctx.close();
    await service.close();
  }
});
