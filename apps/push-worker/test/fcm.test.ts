import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { type FcmService, startFcmService } from "@fluxnotify/shared/testing/push";
import type { FcmConfig } from "../src/strategy";
import { pushCommand, removedCount, startPushContext } from "./context";

const fcmConfig = (fcm: FcmService, account = fcm.serviceAccount()): FcmConfig => ({
  projectId: fcm.projectId,
  baseUrl: fcm.baseUrl,
  account,
});

test("sends FCM HTTP v1 messages with one access token for many sends; a refused token is replaced", async ({
  kafka,
  logger,
  registry,
}) => {
  const fcm = await startFcmService();
  const ctx = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [], fcm: fcmConfig(fcm), openUrl: "https://app.example.com/n" },
  );
  try {
    const tokens = Array.from({ length: 6 }, (_, i) => `fcm-token-${i}-${"x".repeat(140)}`);
    // Six users: six keys, so the six sends run concurrently and share one token fetch.
    const ids = await Promise.all(tokens.map((token, i) => ctx.addFcm(token, { userId: `user-${i}` })));
    const commands = ids.map((id, i) =>
      pushCommand(id, {
        eventType: i === 0 ? "com.fluxpay.payment.failed" : "com.fluxpay.payment.approved",
        recipient: { userId: `user-${i}`, locale: "ko", timeZone: "Asia/Seoul" },
      }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.outcomes().length === 6, 15_000);

    expect(fcm.rejected).toEqual([]);
    expect(fcm.tokenRequests).toBe(1);
    expect(new Set(fcm.messages.map((m) => m.accessToken)).size).toBe(1);
    const first = fcm.messages.find((m) => m.message.token === tokens[0]);
    expect(first?.message).toEqual({
      token: tokens[0],
      notification: { title: "결제에 실패했습니다", body: "39,900원 결제에 실패했습니다." },
      data: expect.objectContaining({
        notificationId: commands[0]?.notificationId,
        eventType: "com.fluxpay.payment.failed",
        createdAt: commands[0]?.createdAt,
        url: `https://app.example.com/n?notificationId=${commands[0]?.notificationId}`,
        amount: "39900.00",
        paymentId: "pay-1002",
      }),
      android: { ttl: "86400s", priority: "HIGH" },
      webpush: { headers: { TTL: "86400", Urgency: "high" } },
    });
    expect(fcm.messages.find((m) => m.message.token === tokens[1])?.message.android).toEqual({
      ttl: "86400s",
      priority: "NORMAL",
    });
    const sent = ctx.harness.outcomes().find((e) => e.notificationId === commands[0]?.notificationId);
    expect(sent).toMatchObject({ status: "SENT", attempts: 1, recipient: `device ${ids[0]}` });
    expect(sent?.providerMessageId).toMatch(new RegExp(`^projects/${fcm.projectId}/messages/`));

    // Revoked before it expired: FCM answers 401, the worker fetches a new token and retries.
    fcm.revokeTokens();
    const again = pushCommand(ids[1] ?? "", {
      recipient: { userId: "user-1", locale: "ko", timeZone: "Asia/Seoul" },
    });
    await ctx.harness.produce([again]);
    await eventually(() => ctx.harness.outcomes().length === 7, 15_000);
    expect(ctx.harness.outcomes().at(-1)).toMatchObject({ status: "SENT", attempts: 2 });
    expect(fcm.tokenRequests).toBe(2);
  } finally {
    await ctx.close();
    await fcm.close();
  }
});

test("UNREGISTERED removes the token (SKIPPED), INVALID_ARGUMENT is dead-lettered, UNAVAILABLE is retried", async ({
  kafka,
  logger,
  registry,
}) => {
  const fcm = await startFcmService();
  const ctx = await startPushContext({ kafka, logger, registry }, { allowedHosts: [], fcm: fcmConfig(fcm) });
  try {
    fcm.script("gone-token", [{ error: "UNREGISTERED" }]);
    fcm.script("bad-token", [{ error: "INVALID_ARGUMENT" }]);
    fcm.script("busy-token", [{ error: "UNAVAILABLE", retryAfter: "2" }]);
    const [goneId, badId, busyId] = [
      await ctx.addFcm("gone-token"),
      await ctx.addFcm("bad-token"),
      await ctx.addFcm("busy-token"),
    ];
    const [gone, bad, busy] = [goneId, badId, busyId].map((id) => pushCommand(id ?? ""));
    await ctx.harness.produce([gone, bad, busy].flatMap((c) => (c ? [c] : [])));
    await eventually(() => ctx.harness.outcomes().length === 3, 20_000);

    const outcome = (id?: string) => ctx.harness.outcomes().find((e) => e.notificationId === id);
    expect(outcome(gone?.notificationId)).toMatchObject({
      status: "SKIPPED",
      reasonCode: "PUSH_FCM_UNREGISTERED",
    });
    expect(outcome(gone?.notificationId)?.errorMessage).not.toContain("gone-token");
    expect(await ctx.rows(goneId ?? "")).toBe(0);
    expect(await removedCount(registry, "fcm", "PUSH_FCM_UNREGISTERED")).toBe(1);

    expect(outcome(bad?.notificationId)).toMatchObject({
      status: "FAILED",
      reasonCode: "PUSH_FCM_INVALID_ARGUMENT",
    });
    expect(ctx.harness.dlq.messages).toHaveLength(1);
    expect(ctx.harness.dlq.messages[0]?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "PUSH_FCM_INVALID_ARGUMENT",
      [DLQ_HEADERS.retryCount]: "0",
    });
    expect(await ctx.rows(badId ?? "")).toBe(1);

    expect(outcome(busy?.notificationId)).toMatchObject({ status: "SENT", attempts: 2 });
    const busyTimes = fcm.messages.filter((m) => m.message.token === "busy-token").map((m) => m.at);
    expect((busyTimes[1] ?? 0) - (busyTimes[0] ?? 0)).toBeGreaterThanOrEqual(1_950); // Retry-After: 2
    expect(fcm.tokenRequests).toBe(1);
  } finally {
    await ctx.close();
    await fcm.close();
  }
});

test("FCM targets without FCM configured, or with a key the token endpoint refuses, are dead-lettered with a clear code", async ({
  kafka,
  logger,
  registry,
}) => {
  const fcm = await startFcmService();
  const other = await startFcmService();
  // The right account, signed with another account's key: the token endpoint refuses the assertion.
  const forged = { ...fcm.serviceAccount(), private_key: other.serviceAccount().private_key };
  const unconfigured = await startPushContext({ kafka, logger, registry }, { allowedHosts: [] });
  const misconfigured = await startPushContext(
    { kafka, logger, registry },
    { allowedHosts: [], fcm: fcmConfig(fcm, forged) },
  );
  try {
    await unconfigured.harness.produce([pushCommand(await unconfigured.addFcm("app-token"))]);
    await misconfigured.harness.produce([pushCommand(await misconfigured.addFcm("app-token"))]);
    await eventually(
      () => unconfigured.harness.dlq.messages.length === 1 && misconfigured.harness.dlq.messages.length === 1,
      15_000,
    );
    const notConfigured = unconfigured.harness.dlq.messages[0]?.headers;
    expect(notConfigured?.[DLQ_HEADERS.errorCode]).toBe("PUSH_FCM_NOT_CONFIGURED");
    expect(notConfigured?.[DLQ_HEADERS.errorMessage]).toMatch(
      /FCM is not configured \(set FCM_SERVICE_ACCOUNT/,
    );
    const refused = misconfigured.harness.dlq.messages[0]?.headers;
    expect(refused?.[DLQ_HEADERS.errorCode]).toBe("PUSH_FCM_AUTH_FAILED");
    expect(refused?.[DLQ_HEADERS.errorMessage]).toMatch(
      /token endpoint 127\.0\.0\.1:\d+ answered 400.*invalid_grant/,
    );
    expect(fcm.tokenRequests).toBe(1);
    expect(fcm.messages).toHaveLength(0);
  } finally {
    await Promise.all([unconfigured.close(), misconfigured.close()]);
    await Promise.all([fcm.close(), other.close()]);
  }
});
