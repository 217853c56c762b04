import { type DeliveryEvent, DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { sampleCommand, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createRedis } from "@fluxnotify/shared/redis";
import { eventually, expect, type KafkaFixtures, kafkaTest as test } from "@fluxnotify/shared/testing";
import { inject } from "vitest";
import { slackStrategy } from "../src/strategy";
import { startWebhookServer } from "./webhook-server";

type Fixtures = Pick<KafkaFixtures, "kafka" | "logger" | "registry">;

async function setup(fixtures: Fixtures, allowedHosts: string[], retry?: { delaysMs: number[] }) {
  const redis = createRedis(inject("redisUrl"), { logger: fixtures.logger, name: "test" });
  const strategy = slackStrategy({ allowedHosts, allowInsecureLoopback: true, timeoutMs: 2_000 });
  const harness = await startDeliveryHarness({
    ...fixtures,
    redis,
    strategy,
    runtime: retry ? { retry } : {},
  });
  return {
    harness,
    async close() {
      await harness.close();
      strategy.close();
      await redis.quit();
    },
  };
}

const slackCommand = (destination: string, extra: Parameters<typeof sampleCommand>[1] = {}) =>
  sampleCommand("SLACK", { eventType: "com.fluxpay.payment.failed", destination, ...extra });

test("posts Block Kit with a text fallback, retries 5xx with 1 s → 2 s backoff, honours Retry-After, skips duplicates", async ({
  kafka,
  logger,
  registry,
}) => {
  const server = await startWebhookServer({
    "/flaky": [{ status: 500 }, { status: 503 }, { status: 200, body: "ok" }],
    "/limited": [
      { status: 429, headers: { "retry-after": "2" }, body: "rate_limited" },
      { status: 200, body: "ok" },
    ],
  });
  const ctx = await setup({ kafka, logger, registry }, [`127.0.0.1:${server.port}`]);
  try {
    const ok = slackCommand(server.url("/ops"), {
      templateData: {
        ...sampleCommand("SLACK", { eventType: "com.fluxpay.payment.failed" }).templateData,
        errorMessage: "<!channel> & <b>",
      },
    });
    const flaky = slackCommand(server.url("/flaky"), { tenantId: "tenant-b" });
    const limited = slackCommand(server.url("/limited"), { tenantId: "tenant-c" });
    await ctx.harness.produce([ok, flaky, limited]);
    await eventually(() => ctx.harness.outcomes().length === 3, 15_000);

    const posted = server.requests.find((r) => r.path === "/ops");
    expect(posted?.body.text).toBe("결제에 실패했습니다: 39,900원 결제에 실패했습니다.");
    const blocks = posted?.body.blocks as Array<{ type: string; fields?: Array<{ text: string }> }>;
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "context"]);
    // Event data cannot ping @channel or inject markup: Slack's control characters are escaped.
    expect(blocks[2]?.fields?.map((f) => f.text)).toContain("*실패 사유*\n&lt;!channel&gt; &amp; &lt;b&gt;");

    const flakyTimes = server.requests.filter((r) => r.path === "/flaky").map((r) => r.at);
    expect(flakyTimes).toHaveLength(3);
    expect((flakyTimes[1] ?? 0) - (flakyTimes[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect((flakyTimes[2] ?? 0) - (flakyTimes[1] ?? 0)).toBeGreaterThanOrEqual(1_950);
    const limitedTimes = server.requests.filter((r) => r.path === "/limited").map((r) => r.at);
    expect((limitedTimes[1] ?? 0) - (limitedTimes[0] ?? 0)).toBeGreaterThanOrEqual(1_950); // Retry-After: 2, not 1 s

    const events = ctx.harness.outcomes();
    expect(events.find((e) => e.notificationId === flaky.notificationId)).toMatchObject({
      status: "SENT",
      attempts: 3,
    });
    expect(events.find((e) => e.notificationId === ok.notificationId)).toMatchObject({
      status: "SENT",
      attempts: 1,
      recipient: `127.0.0.1:${server.port}`,
    });

    await ctx.harness.produce([ok]);
    await eventually(async () => {
      const metric = await registry.getSingleMetric("delivery_duplicates_total")?.get();
      return metric?.values.some((v) => v.labels.channel === "SLACK" && v.value === 1);
    });
    expect(server.requests.filter((r) => r.path === "/ops")).toHaveLength(1);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await server.close();
  }
});

test("stays within Block Kit's limits with 100,000-character values; controls and bidi overrides never reach Slack", async ({
  kafka,
  logger,
  registry,
}) => {
  const server = await startWebhookServer({});
  const ctx = await setup({ kafka, logger, registry }, [`127.0.0.1:${server.port}`]);
  try {
    const huge = (unit: string) => unit.repeat(Math.ceil(100_000 / unit.length));
    const base = sampleCommand("SLACK", { eventType: "com.fluxpay.payment.failed" }).templateData;
    const command = slackCommand(server.url("/bounds"), {
      tenantId: "__default__",
      templateData: {
        ...base,
        amount: "23500.50",
        errorMessage: `\u202Ecard\u0007 declined\u2069 ${huge("<&>")}`,
        orderId: huge("o"),
        paymentId: huge("😀"),
      },
    });
    await ctx.harness.produce([command]);
    await eventually(() => ctx.harness.events.messages.length === 1);
    expect(ctx.harness.events.values<DeliveryEvent>()[0]).toMatchObject({ status: "SENT" });

    const posted = server.requests.find((r) => r.path === "/bounds");
    const body = posted?.body as {
      text: string;
      blocks: Array<{
        type: string;
        text?: { text: string };
        fields?: Array<{ text: string }>;
        elements?: Array<{ text: string }>;
      }>;
    };
    const texts = body.blocks.flatMap((b) => [
      ...(b.text ? [b.text.text] : []),
      ...(b.fields ?? []).map((f) => f.text),
      ...(b.elements ?? []).map((e) => e.text),
    ]);
    const [header, summary, fields, context] = body.blocks;
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(header?.text?.text.length).toBeLessThanOrEqual(150);
    expect(summary?.text?.text.length).toBeLessThanOrEqual(3_000);
    expect(fields?.fields?.length).toBeLessThanOrEqual(10);
    for (const field of fields?.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2_000);
    expect(context?.elements?.length).toBeLessThanOrEqual(10);
    expect(texts.join("").length).toBeLessThan(12_000); // msg_blocks_too_long near 13,200 (bolt-js#2509)
    expect(body.text.length).toBeLessThanOrEqual(4_000);
    for (const text of [...texts, body.text]) {
      // Only the layout's own line break (label, then value) may remain.
      expect(text.replace(/\n/g, "")).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
      expect(text.isWellFormed()).toBe(true); // no emoji cut in half
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/); // escaping intact, no entity cut
    }
    const error = fields?.fields?.find((f) => f.text.startsWith("*실패 사유*"))?.text ?? "";
    expect(error.startsWith("*실패 사유*\ncard declined &lt;&amp;&gt;&lt;&amp;&gt;")).toBe(true);
    expect(error.endsWith("…")).toBe(true);
    expect(fields?.fields?.map((f) => f.text)).toContain("*금액*\n23,500.50원");
    expect(context?.elements?.[0]?.text.startsWith("__default__ · com.fluxpay.payment.failed")).toBe(true);
  } finally {
    await ctx.close();
    await server.close();
  }
});

test("dead-letters 404 at once and exhausted 5xx after 3 retries, with every header", async ({
  kafka,
  logger,
  registry,
}) => {
  const server = await startWebhookServer({
    "/gone": [{ status: 404, body: "no_service" }],
    "/down": [{ status: 500 }],
  });
  const ctx = await setup({ kafka, logger, registry }, [`127.0.0.1:${server.port}`], {
    delaysMs: [100, 200, 400],
  });
  try {
    const gone = slackCommand(server.url("/gone"));
    const down = slackCommand(server.url("/down"), { tenantId: "tenant-z" });
    await ctx.harness.produce([gone, down]);
    await eventually(
      () => ctx.harness.dlq.messages.length === 2 && ctx.harness.outcomes().length === 2,
      15_000,
    );
    const dead = ctx.harness.dlq.messages.find(
      (m) => m.headers[DLQ_HEADERS.notificationId] === gone.notificationId,
    );
    expect(dead?.key).toBe(`${gone.tenantId}:${gone.recipient.userId}`);
    expect(JSON.parse(dead?.value?.toString() ?? "")).toEqual(gone);
    expect(dead?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "SLACK_HTTP_404",
      [DLQ_HEADERS.retryCount]: "0",
      [DLQ_HEADERS.channel]: "SLACK",
      [DLQ_HEADERS.eventId]: gone.eventId,
      [DLQ_HEADERS.originalTopic]: ctx.harness.commandTopic,
      [DLQ_HEADERS.originalPartition]: "0",
    });
    expect(dead?.headers[DLQ_HEADERS.errorMessage]).toMatch(/404.*no_service/);
    expect(dead?.headers[DLQ_HEADERS.originalOffset]).toMatch(/^\d+$/);
    expect(Date.parse(dead?.headers[DLQ_HEADERS.failedAt] ?? "")).not.toBeNaN();
    expect(server.requests.filter((r) => r.path === "/gone")).toHaveLength(1);

    const exhausted = ctx.harness.dlq.messages.find(
      (m) => m.headers[DLQ_HEADERS.notificationId] === down.notificationId,
    );
    expect(exhausted?.headers[DLQ_HEADERS.retryCount]).toBe("3");
    expect(server.requests.filter((r) => r.path === "/down")).toHaveLength(4);
    expect(ctx.harness.outcomes().find((e) => e.notificationId === gone.notificationId)).toMatchObject({
      status: "FAILED",
      reasonCode: "SLACK_HTTP_404",
      attempts: 1,
    });
  } finally {
    await ctx.close();
    await server.close();
  }
});

test("refuses non-allow-listed hosts and plain http without connecting", async ({
  kafka,
  logger,
  registry,
}) => {
  const listed = await startWebhookServer();
  const unlisted = await startWebhookServer();
  const ctx = await setup({ kafka, logger, registry }, [`127.0.0.1:${listed.port}`, "hooks.slack.com"]);
  try {
    const commands = [
      slackCommand(unlisted.url("/hook")),
      slackCommand("https://evil.example.invalid/services/T/B/X"),
      slackCommand("http://hooks.slack.com/services/T/B/X"),
    ];
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.dlq.messages.length === 3);
    expect(ctx.harness.dlq.messages.map((m) => m.headers[DLQ_HEADERS.errorCode])).toEqual([
      "SLACK_WEBHOOK_NOT_ALLOWED",
      "SLACK_WEBHOOK_NOT_ALLOWED",
      "SLACK_WEBHOOK_NOT_ALLOWED",
    ]);
    expect(ctx.harness.dlq.messages[0]?.headers[DLQ_HEADERS.errorMessage]).toMatch(/not on the allow-list/);
    expect(ctx.harness.dlq.messages[2]?.headers[DLQ_HEADERS.errorMessage]).toMatch(/must use https/);
    expect(unlisted.connections).toBe(0);
    expect(listed.connections).toBe(0);
  } finally {
    await ctx.close();
    await Promise.all([listed.close(), unlisted.close()]);
  }
});

test("a webhook host that is down pauses consumption; everything is delivered after it returns", async ({
  kafka,
  logger,
  registry,
}) => {
  let server = await startWebhookServer();
  const port = server.port;
  const ctx = await setup({ kafka, logger, registry }, [`127.0.0.1:${port}`]);
  try {
    await server.close();
    const commands = Array.from({ length: 6 }, (_, i) =>
      slackCommand(server.url(`/hook/${i}`), { tenantId: `t${i}` }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.runtime.breaker.state === "open");
    expect(ctx.harness.runtime.runner.paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(ctx.harness.dlq.messages).toHaveLength(0);
    server = await startWebhookServer({}, port);
    await eventually(() => ctx.harness.outcomes().length === 6, 15_000);
    expect(ctx.harness.runtime.breaker.state).toBe("closed");
    expect(new Set(server.requests.map((r) => r.path)).size).toBe(6);
    expect(ctx.harness.outcomes().every((e) => e.status === "SENT" && e.attempts === 1)).toBe(true);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
  } finally {
    await ctx.close();
    await server.close();
  }
});
