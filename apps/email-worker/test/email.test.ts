import { type DeliveryEvent, DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { eventually, expect, kafkaTest as test } from "@fluxnotify/shared/testing";
import { EMAIL_SUBJECT_MAX } from "../src/email-copy";
import { messageIdFor } from "../src/strategy";
import { mailTo, startEmailHarness } from "./email-harness";
import { startSmtpServer } from "./smtp-server";

test("sends HTML + text with a stable Message-ID, reports SENT, and does not re-send a duplicate", async ({
  kafka,
  logger,
  registry,
}) => {
  const smtp = await startSmtpServer();
  const ctx = await startEmailHarness({ kafka, logger, registry }, smtp.port);
  try {
    const command = mailTo("alice@example.com", {
      templateData: { ...sampleCommand("EMAIL").templateData, pgPaymentKey: "<img src=x onerror=alert(1)>" },
    });
    await ctx.harness.produce([command]);
    await eventually(() => smtp.received.length === 1 && ctx.harness.events.messages.length === 1);
    const { mail } = smtp.received[0] ?? {};
    expect(mail?.messageId).toBe(messageIdFor(command.notificationId));
    expect(mail?.subject).toBe("[FluxPay] 결제가 완료되었습니다");
    expect(mail?.from?.text).toContain("no-reply@fluxnotify.test");
    expect(mail?.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("alice@example.com");
    expect(mail?.text).toContain("15,000원");
    expect(mail?.html).toContain("15,000원");
    expect(mail?.html).not.toContain("<img src=x");
    expect(mail?.html).toContain("&lt;img src=x onerror=alert(1)&gt;");

    const [sent] = ctx.harness.events.values<DeliveryEvent>();
    expect(sent).toMatchObject({
      status: "SENT",
      attempts: 1,
      providerMessageId: messageIdFor(command.notificationId),
      recipient: "alice@example.com",
    });
    expect(sent?.latencyMs).toBeGreaterThan(0);

    await ctx.harness.produce([command]);
    await eventually(async () => {
      const metric = await registry.getSingleMetric("delivery_duplicates_total")?.get();
      return metric?.values.some((v) => v.labels.channel === "EMAIL" && v.value === 1);
    });
    expect(smtp.received).toHaveLength(1);
    expect(ctx.harness.events.messages).toHaveLength(1);
  } finally {
    await ctx.close();
    await smtp.close();
  }
});

test("user-supplied text arrives clean and bounded, amounts exact: a 100,000-character bidi-laden plan name", async ({
  kafka,
  logger,
  registry,
}) => {
  const smtp = await startSmtpServer();
  const ctx = await startEmailHarness({ kafka, logger, registry }, smtp.port);
  try {
    const planName = `\u202Egpj.exe\u202C\u2066Pro\u2069\u0007\u001B[31m ${"요금제<&>".repeat(20_000)}`;
    const base = sampleCommand("EMAIL", { eventType: "com.fluxpay.subscription.renewed" });
    const command = mailTo("bob@example.com", {
      eventType: "com.fluxpay.subscription.renewed",
      templateData: { ...base.templateData, planName, amount: "23500.50", currency: "KRW" },
    });
    await ctx.harness.produce([command]);
    await eventually(() => smtp.received.length === 1 && ctx.harness.events.messages.length === 1);
    const { mail } = smtp.received[0] ?? {};
    const html = typeof mail?.html === "string" ? mail.html : "";
    const text = mail?.text ?? "";
    const unsafe = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
    expect([...(mail?.subject ?? "")].length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(html).not.toMatch(unsafe);
    expect(text.replace(/\n/g, "")).not.toMatch(unsafe); // html-to-text lays out with newlines
    // Gmail clips HTML over 102 KB; 200 KB of plan name used to arrive whole.
    expect(Buffer.byteLength(html)).toBeLessThan(102 * 1024);
    expect(text).toContain("gpj.exePro[31m 요금제<&>요금제");
    expect(text).toContain("…");
    expect(text).toContain("23,500.50원"); // KRW has no minor unit, but the amount is never rounded
    expect(html).toContain("요금제&lt;&amp;&gt;"); // React's escaping is unchanged
    expect(ctx.harness.events.values<DeliveryEvent>()[0]).toMatchObject({ status: "SENT" });
  } finally {
    await ctx.close();
    await smtp.close();
  }
});

test("4xx is retried with 1 s → 2 s backoff; 5xx for the recipient is dead-lettered at once", async ({
  kafka,
  logger,
  registry,
}) => {
  const smtp = await startSmtpServer({
    rcptReplies: { "busy@example.com": [451, 452], "nobody@example.com": [550] },
  });
  const ctx = await startEmailHarness({ kafka, logger, registry }, smtp.port);
  try {
    const busy = mailTo("busy@example.com", { tenantId: "t-busy" });
    const nobody = mailTo("nobody@example.com", { tenantId: "t-nobody" });
    await ctx.harness.produce([busy, nobody]);
    await eventually(() => ctx.harness.outcomes().length === 2, 15_000);

    const tries = smtp.rcptAttempts.filter((a) => a.address === "busy@example.com").map((a) => a.at);
    expect(tries).toHaveLength(3);
    expect((tries[1] ?? 0) - (tries[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect((tries[2] ?? 0) - (tries[1] ?? 0)).toBeGreaterThanOrEqual(1_950);
    // The delayed one was reported PENDING at each retry, with that attempt's failure.
    expect(ctx.harness.delays()).toEqual([
      expect.objectContaining({ notificationId: busy.notificationId, reasonCode: "SMTP_451", attempts: 1 }),
      expect.objectContaining({ notificationId: busy.notificationId, reasonCode: "SMTP_452", attempts: 2 }),
    ]);
    const events = ctx.harness.outcomes();
    expect(events.find((e) => e.notificationId === busy.notificationId)).toMatchObject({
      status: "SENT",
      attempts: 3,
    });
    expect(events.find((e) => e.notificationId === nobody.notificationId)).toMatchObject({
      status: "FAILED",
      reasonCode: "SMTP_550",
      attempts: 1,
    });

    expect(smtp.rcptAttempts.filter((a) => a.address === "nobody@example.com")).toHaveLength(1);
    expect(ctx.harness.dlq.messages).toHaveLength(1);
    const dead = ctx.harness.dlq.messages[0];
    expect(dead?.key).toBe(`t-nobody:${nobody.recipient.userId}`);
    expect(JSON.parse(dead?.value?.toString() ?? "")).toEqual(nobody);
    expect(dead?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "SMTP_550",
      [DLQ_HEADERS.retryCount]: "0",
      [DLQ_HEADERS.channel]: "EMAIL",
      [DLQ_HEADERS.eventId]: nobody.eventId,
      [DLQ_HEADERS.notificationId]: nobody.notificationId,
      [DLQ_HEADERS.originalTopic]: ctx.harness.commandTopic,
      [DLQ_HEADERS.originalPartition]: "0",
    });
    expect(dead?.headers[DLQ_HEADERS.errorMessage]).toMatch(/550/);
    expect(dead?.headers[DLQ_HEADERS.originalOffset]).toMatch(/^\d+$/);
    expect(Date.parse(dead?.headers[DLQ_HEADERS.failedAt] ?? "")).not.toBeNaN();
  } finally {
    await ctx.close();
    await smtp.close();
  }
});

test("an SMTP outage pauses consumption; after restart every message is delivered and none dead-lettered", async ({
  kafka,
  logger,
  registry,
}) => {
  let smtp = await startSmtpServer();
  const port = smtp.port;
  const ctx = await startEmailHarness({ kafka, logger, registry }, port);
  try {
    await smtp.close();
    const commands = Array.from({ length: 8 }, (_, i) =>
      mailTo(`user${i}@example.com`, { tenantId: `t${i}` }),
    );
    await ctx.harness.produce(commands);
    await eventually(() => ctx.harness.runtime.breaker.state === "open");
    expect(ctx.harness.runtime.runner.paused).toBe(true);
    const breaker = await registry.getSingleMetric("delivery_breaker_open")?.get();
    expect(breaker?.values.find((v) => v.labels.channel === "EMAIL")?.value).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 8_000)); // the outage
    expect(ctx.harness.dlq.messages).toHaveLength(0);
    expect(ctx.harness.outcomes()).toHaveLength(0);
    // What was in flight when the breaker opened is shown PENDING, waiting for the provider.
    expect(ctx.harness.delays().every((e) => e.reasonCode === "PROVIDER_DOWN")).toBe(true);

    smtp = await startSmtpServer({ port });
    await eventually(() => ctx.harness.outcomes().length === 8, 20_000);
    expect(new Set(smtp.received.map((r) => r.mail.messageId)).size).toBe(8);
    expect(ctx.harness.outcomes().every((e) => e.status === "SENT")).toBe(true);
    expect(ctx.harness.dlq.messages).toHaveLength(0);
    expect(ctx.harness.runtime.breaker.state).toBe("closed");
  } finally {
    await ctx.close();
    await smtp.close();
  }
});
