import { captureLogs, eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { startFcmService, startWebPushService } from "@fluxnotify/shared/testing/push";
import { pushCommand, startPushContext, TEST_VAPID } from "./context";

test("no endpoint path, key, FCM token or access token reaches logs, delivery events or dead letters", async ({
  kafka,
  registry,
}) => {
  const logs = captureLogs("push-test", "debug");
  const service = await startWebPushService({ vapidPublicKey: TEST_VAPID.publicKey });
  const fcm = await startFcmService();
  const account = fcm.serviceAccount();
  const ctx = await startPushContext(
    { kafka, logger: logs.logger, registry },
    {
      allowedHosts: [`127.0.0.1:${service.port}`],
      fcm: { projectId: fcm.projectId, baseUrl: fcm.baseUrl, account },
      retry: { delaysMs: [50] },
    },
  );
  try {
    const gone = service.createBrowserSubscription();
    const echo = service.createBrowserSubscription();
    const flaky = service.createBrowserSubscription();
    service.script(gone.endpoint, [{ status: 410 }]);
    service.script(echo.endpoint, [{ status: 400, body: `no such thing as ${echo.endpoint}` }]);
    service.script(flaky.endpoint, [{ status: 500, body: `${flaky.endpoint} overloaded` }, { status: 500 }]);
    const appToken = `dGVzdC1mY20tdG9rZW4t${"Q".repeat(120)}`;
    fcm.script(appToken, [{ error: "UNAVAILABLE" }, { error: "UNREGISTERED" }]);
    const ids = [
      await ctx.addWebPush(gone),
      await ctx.addWebPush(echo, { userId: "user-2" }),
      await ctx.addWebPush(flaky, { userId: "user-3" }),
      await ctx.addFcm(appToken, { userId: "user-4" }),
    ];
    const users = ["user-1", "user-2", "user-3", "user-4"];
    await ctx.harness.produce(
      ids.map((id, i) =>
        pushCommand(id, {
          recipient: { userId: users[i] ?? "user-1", locale: "ko", timeZone: "Asia/Seoul" },
        }),
      ),
    );
    await eventually(() => ctx.harness.outcomes().length === 4, 15_000);
    expect(
      ctx.harness
        .outcomes()
        .map((e) => `${e.status}:${e.reasonCode}`)
        .sort(),
    ).toEqual([
      "FAILED:PUSH_HTTP_400",
      "FAILED:PUSH_SERVER_ERROR",
      "SKIPPED:PUSH_FCM_UNREGISTERED",
      "SKIPPED:PUSH_SUBSCRIPTION_GONE",
    ]);

    const messages = logs.entries().map((entry) => entry.msg);
    expect(messages).toContain("push target gone");
    expect(messages).toContain("send failed; retrying");
    const accessTokens = [...new Set(fcm.messages.map((m) => m.accessToken))];
    expect(accessTokens).toHaveLength(1);
    const secrets = [
      ...[gone, echo, flaky].flatMap((s) => [new URL(s.endpoint).pathname, s.keys.p256dh, s.keys.auth]),
      appToken,
      ...accessTokens,
      TEST_VAPID.privateKey,
      account.private_key.split("\n")[1] ?? "",
    ];
    const written = [
      logs.lines.join(""),
      JSON.stringify(ctx.harness.events.values()),
      JSON.stringify(ctx.harness.dlq.messages.map((m) => m.headers)),
    ].join("\n");
    expect(secrets.filter((secret) => written.includes(secret))).toEqual([]);
    // What is there instead: the host, and the subscription ids.
    expect(written).toContain(`127.0.0.1:${service.port}`);
    for (const id of ids) expect(written).toContain(id);
  } finally {
    await ctx.close();
    await Promise.all([service.close(), fcm.close()]);
  }
});
