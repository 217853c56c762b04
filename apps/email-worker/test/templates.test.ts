import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVENT_TYPES } from "@fluxnotify/shared/contracts";
import { SAMPLE_TEMPLATE_DATA } from "@fluxnotify/shared/delivery/testing";
import { describe, expect, test } from "vitest";
import { renderSamples } from "../scripts/render-samples";
import { createEmailRenderer } from "../src/email-renderer";
import { EMAIL_TEMPLATES } from "../src/templates/events";

const { render: renderEmail } = createEmailRenderer();
const ko = { userId: "u1", locale: "ko" as const, timeZone: "Asia/Seoul" };
const en = { userId: "u1", locale: "en" as const, timeZone: "America/New_York" };

describe("email templates", () => {
  test("there is one template per CONTRACT §1 event type, and the sample script renders them all", async () => {
    expect(Object.keys(EMAIL_TEMPLATES).sort()).toEqual([...EVENT_TYPES].sort());
    const dir = await mkdtemp(join(tmpdir(), "email-samples-"));
    try {
      const files = await renderSamples(dir);
      expect(files).toHaveLength(EVENT_TYPES.length * 2 * 2);
      for (const file of files) expect((await readFile(file, "utf8")).length).toBeGreaterThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("Korean by default: KRW without decimals, time in Asia/Seoul", async () => {
    const email = await renderEmail({
      eventType: "com.fluxpay.payment.approved",
      templateData: SAMPLE_TEMPLATE_DATA["com.fluxpay.payment.approved"] ?? {},
      recipient: ko,
    });
    expect(email.subject).toBe("[FluxPay] 결제가 완료되었습니다");
    expect(email.html).toContain("15,000원");
    expect(email.text).toContain("15,000원 결제가 승인되었습니다.");
    expect(email.text).toContain("2026년 2월 4일 오후 7:30"); // 10:30Z is 19:30 in Seoul
    expect(email.html).toContain('lang="ko"');
  });

  test("English for locale en, amounts by currency, times in the user's zone, exact decimals", async () => {
    const renewed = await renderEmail({
      eventType: "com.fluxpay.subscription.renewed",
      templateData: {
        ...SAMPLE_TEMPLATE_DATA["com.fluxpay.subscription.renewed"],
        amount: "12345678901234567.89",
      },
      recipient: en,
    });
    expect(renewed.subject).toBe("[FluxPay] Subscription renewed");
    expect(renewed.text).toContain("$12,345,678,901,234,567.89"); // no float rounding
    const approved = await renderEmail({
      eventType: "com.fluxpay.payment.approved",
      templateData: SAMPLE_TEMPLATE_DATA["com.fluxpay.payment.approved"] ?? {},
      recipient: en,
    });
    expect(approved.text).toContain("₩15,000");
    expect(approved.text).toContain("February 4, 2026 at 5:30 AM EST");
  });

  test("event data is escaped: a <script> in a reason is shown, not executed", async () => {
    const email = await renderEmail({
      eventType: "com.fluxpay.refund.requested",
      templateData: {
        ...SAMPLE_TEMPLATE_DATA["com.fluxpay.refund.requested"],
        reason: '<script>alert("x")</script>',
      },
      recipient: ko,
    });
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;");
    expect(email.text).toContain('<script>alert("x")</script>'); // plain text shows it literally
  });
});
