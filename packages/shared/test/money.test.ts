import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DECIMAL_DIGITS, normaliseDecimal } from "../src/contracts/index";
import { formatMoney, notificationCopy } from "../src/delivery/index";

const MAX = "9".repeat(MAX_DECIMAL_DIGITS);

/** Exact equality of two plain decimals, whatever their scales. */
function sameValue(a: string, b: string): boolean {
  const parts = (plain: string) => {
    const [integer = "", fraction = ""] = plain.split(".");
    return { unscaled: BigInt(`${integer}${fraction}`), scale: fraction.length };
  };
  const x = parts(a);
  const y = parts(b);
  const scale = Math.max(x.scale, y.scale);
  return x.unscaled * 10n ** BigInt(scale - x.scale) === y.unscaled * 10n ** BigInt(scale - y.scale);
}

describe("formatMoney: exact amounts, never rounded to a minor unit", () => {
  it.each([
    ["23500.50", "KRW", "ko", "23,500.50원"],
    ["23500.50", "KRW", "en", "₩23,500.50"],
    ["23500.5", "KRW", "ko", "23,500.5원"],
    ["15000.00", "KRW", "ko", "15,000원"],
    ["15000", "KRW", "en", "₩15,000"],
    ["1.5E+4", "KRW", "ko", "15,000원"],
    ["-3500", "KRW", "ko", "-3,500원"],
    ["0", "KRW", "ko", "0원"],
    ["12.5", "USD", "en", "$12.50"],
    ["12.5", "USD", "ko", "US$12.50"],
    ["12.345", "USD", "en", "$12.345"],
    ["12.3450", "USD", "en", "$12.3450"],
    ["0.001", "BHD", "en", "BHD 0.001"],
    ["1234.5", "JPY", "en", "¥1,234.5"],
    [MAX, "KRW", "ko", `99${",999".repeat(12)}원`],
    [MAX, "KRW", "en", `₩99${",999".repeat(12)}`],
    [`-${MAX}`, "USD", "en", `-$99${",999".repeat(12)}.00`],
    [`${"9".repeat(36)}.99`, "USD", "en", `$999${",999".repeat(11)}.99`],
    [`0.${"0".repeat(36)}1`, "USD", "en", `$0.${"0".repeat(36)}1`],
  ])("%s %s (%s) → %s", (amount, currency, locale, expected) => {
    expect(formatMoney(amount, currency, locale as "ko" | "en").replace(/\u00A0/g, " ")).toBe(expected);
  });

  it("shows text that is not an amount as it is, never as ∞ or a rounded float", () => {
    const huge = "1".repeat(400);
    expect(formatMoney(huge, "KRW", "ko")).toBe(`${huge} KRW`);
    expect(formatMoney("lots", "KRW", "en")).toBe("lots KRW");
  });

  it("property: the digits shown are the amount's digits, for every value the cap allows", () => {
    const amounts = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[1-9]\d{0,25}$/), fc.stringMatching(/^\d{0,12}$/))
      .map(
        ([negative, integer, fraction]) =>
          `${negative ? "-" : ""}${integer}${fraction ? `.${fraction}` : ""}`,
      );
    fc.assert(
      fc.property(
        amounts,
        fc.constantFrom("KRW", "USD", "JPY", "BHD"),
        fc.constantFrom("ko", "en"),
        (amount, currency, locale) => {
          const shown = formatMoney(amount, currency, locale as "ko" | "en");
          expect(shown).not.toMatch(/∞|E/);
          const digits = shown.replace(/[^\d.-]/g, "").replace(/^\.+|\.+$/g, "");
          const exact = normaliseDecimal(digits);
          expect(exact.ok && sameValue(exact.value, amount), `${amount} ${currency} → ${shown}`).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("reaches every place that formats money: summaries and fields", () => {
    const copy = notificationCopy({
      eventType: "com.fluxpay.payment.failed",
      data: {
        eventId: "e",
        paymentId: "p",
        orderId: "o",
        amount: "23500.50",
        currency: "KRW",
        occurredAt: "2026-02-04T10:30:00.000Z",
      },
      locale: "ko",
    });
    expect(copy.summary).toBe("23,500.50원 결제에 실패했습니다.");
    expect(copy.fields.find((f) => f.label === "금액")?.value).toBe("23,500.50원");
  });
});
