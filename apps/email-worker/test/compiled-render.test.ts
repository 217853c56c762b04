import { EVENT_TYPES } from "@fluxnotify/shared/contracts";
import { SAMPLE_TEMPLATE_DATA } from "@fluxnotify/shared/delivery/testing";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { EmailCommand } from "../src/email-copy";
import { checkEmailTemplates, createEmailRenderer } from "../src/email-renderer";
import { renderEmailDirect } from "../src/react-render";

/**
 * The oracle: for any command, the compiled renderer's subject, HTML and plain text are
 * byte-identical to a React render of the same template plus html-to-text (the direct path,
 * kept for this test only).
 */

const renderer = createEmailRenderer();

/** Characters that have broken renderers: HTML specials, white space of both kinds, bidi, controls, surrogates, our own sentinel range. */
const hostileUnit = fc.constantFrom(
  "<",
  ">",
  "&",
  '"',
  "'",
  "&amp;",
  "&lt;",
  "<!--",
  "-->",
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\f",
  "\u200b",
  "\u00a0",
  "\u3000",
  "\u2028",
  "\u202e",
  "\u2066",
  "\u200f",
  "\u0000",
  "\u001b[31m",
  "\ud800",
  "\udc00",
  "😀",
  "👩‍👩‍👧",
  "한",
  "글",
  "a",
  "Z",
  "0",
  "\ue000",
  "\ue100",
  "\ue200",
  "\uf8ff",
);
const hostileText = fc.oneof(
  fc.string({ unit: hostileUnit, maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  // Long: the copy bounds each value to 500 code points, and the summary crosses the
  // inbox preview's 150 units at every length.
  fc.string({ unit: hostileUnit, minLength: 100, maxLength: 700 }),
  fc.string({ unit: "grapheme", minLength: 140, maxLength: 160 }),
);
const decimal = fc.oneof(
  fc.constantFrom("15000.00", "0", "12.5", "23500.50", "12345678901234567.89", "-1", "1e3", ""),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.nat({ max: 9999 })).map(([i, f]) => `${i}.${f}`),
);
const instant = fc.oneof(
  fc
    .date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom("not a date", "2026-02-30T00:00:00Z", ""),
);
const valueFor = (key: string): fc.Arbitrary<unknown> => {
  if (key === "amount" || key === "totalAmount") return fc.oneof(decimal, hostileText);
  if (key === "currency")
    return fc.oneof(fc.constantFrom("KRW", "USD", "BHD", "JPY", "EUR", "XXX", "usd"), hostileText);
  if (key.endsWith("At") || key === "currentPeriodEnd") return fc.oneof(instant, hostileText);
  if (key === "fromStatus" || key === "toStatus")
    return fc.oneof(fc.constantFrom("PENDING", "PAID", "COMPLETED", "CANCELLED", "FAILED"), hostileText);
  return fc.oneof(hostileText, fc.integer(), fc.constant(null), fc.boolean());
};

/** Every sample field kept, dropped (an optional row missing) or replaced; sometimes extra keys. */
const templateData = (eventType: string) => {
  const sample = SAMPLE_TEMPLATE_DATA[eventType] ?? {};
  const keys = [...Object.keys(sample), "reason", "errorMessage", "planName", "pgPaymentKey", "pgRefundId"];
  return fc
    .record(
      Object.fromEntries(
        keys.map((key) => [
          key,
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(sample[key]) },
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 3, arbitrary: valueFor(key) },
          ),
        ]),
      ),
    )
    .map((data) => Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)));
};

const command: fc.Arbitrary<EmailCommand> = fc
  .record({
    eventType: fc.constantFrom(...EVENT_TYPES),
    locale: fc.constantFrom("ko" as const, "en" as const),
    timeZone: fc.constantFrom("Asia/Seoul", "America/New_York", "UTC", "Asia/Kolkata", "Not/AZone"),
  })
  .chain(({ eventType, locale, timeZone }) =>
    templateData(eventType).map((data) => ({
      eventType,
      templateData: data,
      recipient: { userId: "u1", locale, timeZone },
    })),
  );

let compared = 0;

/** Same subject, HTML and text; or, when the direct path refuses the command, the same refusal. */
async function expectSameAsDirect(cmd: EmailCommand): Promise<void> {
  const [compiled, direct] = await Promise.allSettled([renderer.render(cmd), renderEmailDirect(cmd)]);
  if (direct.status === "rejected" || compiled.status === "rejected") {
    expect(compiled.status).toBe(direct.status);
    expect(String((compiled as PromiseRejectedResult).reason)).toBe(
      String((direct as PromiseRejectedResult).reason),
    );
    return;
  }
  expect(compiled.value.subject).toBe(direct.value.subject);
  expect(compiled.value.html).toBe(direct.value.html);
  expect(compiled.value.text).toBe(direct.value.text);
  compared++;
}

describe("compiled email rendering", () => {
  test("every template compiles in both locales (the start-up check)", async () => {
    await expect(checkEmailTemplates()).resolves.toBe(EVENT_TYPES.length * 2);
  });

  test("property: subject, HTML and text are byte-identical to a React render + html-to-text", async () => {
    const before = compared;
    await fc.assert(fc.asyncProperty(command, expectSameAsDirect), { numRuns: 1_500 });
    // Refusals (the copy throws on some inputs, both ways alike) must stay the exception.
    expect(compared - before).toBeGreaterThan(1_400);
  });

  test("the sample of every event type in both locales, with every field, each field missing, and each empty or blank", async () => {
    for (const eventType of EVENT_TYPES) {
      const sample = SAMPLE_TEMPLATE_DATA[eventType] ?? {};
      for (const locale of ["ko", "en"] as const) {
        const recipient = { userId: "u1", locale, timeZone: "Asia/Seoul" };
        await expectSameAsDirect({ eventType, templateData: sample, recipient });
        for (const key of Object.keys(sample)) {
          const { [key]: _, ...without } = sample;
          for (const templateData of [
            without,
            { ...sample, [key]: "" },
            { ...sample, [key]: "\u200b \u200b" },
          ]) {
            await expectSameAsDirect({ eventType, templateData, recipient });
          }
        }
      }
    }
  });

  test("a summary of every length around the inbox preview's 150 units, cut inside a surrogate pair too", async () => {
    // "Your " + plan + " subscription was cancelled." (33 units around the plan) in English:
    // summaries of 143–203 units, the preview's cut at unit 150 inside the plan name from
    // 145 units on, between the halves of an emoji for the emoji fillers.
    for (let length = 110; length <= 170; length++) {
      for (const filler of ["a", "😀", "a😀", "<&>"]) {
        const planName = filler.repeat(length).slice(0, length);
        await expectSameAsDirect({
          eventType: "com.fluxpay.subscription.cancelled",
          templateData: { subscriptionId: "sub-1", planName, occurredAt: "2026-02-04T10:30:00.000Z" },
          recipient: { userId: "u1", locale: "en", timeZone: "UTC" },
        });
      }
    }
  });

  test("variants are compiled once and shared: 1,000 messages of one shape compile one variant", async () => {
    const fresh = createEmailRenderer();
    const sample = SAMPLE_TEMPLATE_DATA["com.fluxpay.refund.requested"] ?? {};
    const recipient = { userId: "u1", locale: "ko" as const, timeZone: "Asia/Seoul" };
    const reasons = Array.from({ length: 1_000 }, (_, i) => `reason ${String(i).padStart(4, "0")}`);
    const emails = await Promise.all(
      reasons.map((reason) =>
        fresh.render({
          eventType: "com.fluxpay.refund.requested",
          templateData: { ...sample, reason },
          recipient,
        }),
      ),
    );
    expect(fresh.variants).toBe(1);
    expect(emails[999]?.html).toContain("reason 0999");
    expect(emails[999]?.text).toContain("reason 0999");
  });

  test("the variant cache is bounded: the oldest shape is dropped and compiles again when it returns", async () => {
    const small = createEmailRenderer({ maxVariants: 3 });
    const recipient = { userId: "u1", locale: "en" as const, timeZone: "UTC" };
    // Different summary lengths below 150 are different variants (the preview's padding).
    const plan = (n: number) => ({ subscriptionId: "s", planName: "p".repeat(n) });
    for (const n of [1, 2, 3, 4, 1]) {
      const cmd = { eventType: "com.fluxpay.subscription.cancelled", templateData: plan(n), recipient };
      expect(await small.render(cmd)).toEqual(await renderEmailDirect(cmd));
    }
    expect(small.variants).toBe(3);
  });

  test("an event type without a template is refused for good, an inherited property name too", async () => {
    for (const eventType of ["com.fluxpay.unknown", "constructor", "toString", "__proto__"]) {
      await expect(
        renderer.render({
          eventType,
          templateData: {},
          recipient: { userId: "u1", locale: "ko", timeZone: "Asia/Seoul" },
        }),
      ).rejects.toMatchObject({ code: "EMAIL_TEMPLATE_MISSING", retryable: false });
    }
  });
});
