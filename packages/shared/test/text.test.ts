import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cleanText,
  ELLIPSIS,
  FIELDS_MAX,
  notificationCopy,
  truncate,
  VALUE_MAX_CODE_POINTS,
} from "../src/delivery/index";

const BIDI = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];
const codePoints = (value: string) => [...value].length;
/** Any UTF-16 string, lone surrogates included (JSON's `\ud800` escapes make them). */
const utf16Units = fc
  .array(fc.integer({ min: 0, max: 0xffff }))
  .map((units) => String.fromCharCode(...units));
/** Anything a reader must never receive. */
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

describe("cleanText", () => {
  it("removes bidi embeddings, overrides and isolates, and C0/C1 controls", () => {
    for (const control of [...BIDI, "\u0000", "\u0007", "\u001B", "\u007F", "\u0085", "\u009B"])
      expect(cleanText(`Pro${control}Plan`), JSON.stringify(control)).toMatch(/^Pro ?Plan$/);
    expect(cleanText("invoice\u202Efdp.exe")).toBe("invoicefdp.exe");
  });

  it("turns line breaks and tabs into spaces (values are shown inline) and trims", () => {
    expect(cleanText(" card\r\ndeclined\tby\nissuer\u2028now ")).toBe("card declined by issuer now");
  });

  it("keeps what is text: Korean, emoji, RTL letters and the implicit marks", () => {
    const text = "프로 요금제 🚀 עברית \u200F x";
    expect(cleanText(text)).toBe(text);
  });

  it("replaces lone surrogates, which no encoder can send, with U+FFFD", () => {
    expect(cleanText("a\uD800b\uDC00c")).toBe("a\uFFFDb\uFFFDc");
  });

  it("property: the result never holds a control, bidi override or lone surrogate", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), utf16Units), (value) => {
        expect(cleanText(value)).not.toMatch(UNSAFE);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("truncate", () => {
  it("keeps text that fits and cuts the rest with an ellipsis, counting code points", () => {
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abcd", 3)).toBe(`ab${ELLIPSIS}`);
    expect(truncate("🚀🚀🚀🚀", 3)).toBe(`🚀🚀${ELLIPSIS}`); // 8 UTF-16 units, 4 code points
    expect(truncate("🚀🚀🚀", 3)).toBe("🚀🚀🚀");
  });

  it("never splits a surrogate pair", () => {
    expect(truncate(`a${"😀".repeat(10)}`, 5)).toBe(`a😀😀😀${ELLIPSIS}`);
  });

  it("counts in another measure when the channel's limit applies to an escaped form", () => {
    const escapedLength = (c: string) => (c === "&" ? 5 : c.length);
    expect(truncate("&&&&", 12, escapedLength)).toBe(`&&${ELLIPSIS}`);
  });

  it("property: at most max code points, a prefix of the input plus an ellipsis, well-formed", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (value, max) => {
          const cut = truncate(value, max);
          expect(codePoints(cut)).toBeLessThanOrEqual(max);
          expect(cut.isWellFormed()).toBe(true);
          if (codePoints(value) <= max) expect(cut).toBe(value);
          else {
            expect(cut.endsWith(ELLIPSIS)).toBe(true);
            expect(value.startsWith(cut.slice(0, -ELLIPSIS.length))).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("notificationCopy: one sanitiser for every channel", () => {
  const hostile = `\u202EPro\u0000 ${"플랜".repeat(50_000)}`;

  it("cleans and bounds every value taken from event data; the data itself is left as it was", () => {
    const data = {
      eventId: "e",
      subscriptionId: `\u2066sub-1\u2069\u0007`,
      userId: "u",
      planName: hostile,
      amount: "9900",
      currency: "KRW",
      currentPeriodEnd: "2026-03-04T00:00:00.000Z",
      occurredAt: "2026-02-04T10:30:00.000Z",
    };
    const before = structuredClone(data);
    const copy = notificationCopy({ eventType: "com.fluxpay.subscription.renewed", data, locale: "ko" });
    for (const text of [copy.title, copy.summary, ...copy.fields.flatMap((f) => [f.label, f.value])])
      expect(text).not.toMatch(UNSAFE);
    const plan = copy.fields.find((f) => f.label === "요금제")?.value ?? "";
    expect(codePoints(plan)).toBe(VALUE_MAX_CODE_POINTS);
    expect(plan.startsWith("Pro 플랜")).toBe(true);
    expect(plan.endsWith(ELLIPSIS)).toBe(true);
    expect(copy.fields.find((f) => f.label === "구독 번호")?.value).toBe("sub-1");
    expect(copy.summary).toBe(`${plan} 구독이 9,900원에 갱신되었습니다.`);
    expect(data).toEqual(before);
  });

  it("bounds an unknown event's fields too: their count, labels and values", () => {
    const data = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`key\u202E${i}${"k".repeat(300)}`, "v".repeat(10_000)]),
    );
    const copy = notificationCopy({ eventType: "com.fluxpay.thing.happened\u0000", data, locale: "en" });
    expect(copy.title).toBe("Notification: thing.happened");
    expect(copy.fields).toHaveLength(FIELDS_MAX);
    for (const field of copy.fields) {
      expect(field.label).not.toMatch(UNSAFE);
      expect(codePoints(field.label)).toBeLessThanOrEqual(100);
      expect(codePoints(field.value)).toBe(VALUE_MAX_CODE_POINTS);
    }
  });
});

describe("notificationCopy: keys from data are only data", () => {
  it("an event type, status or field named like an Object member is unknown, never a crash", () => {
    const odd = notificationCopy({
      eventType: "constructor",
      data: { toString: "x", ["__proto__"]: "y", constructor: "z" },
      locale: "en",
    });
    expect(odd.title).toBe("Notification: constructor");
    expect(odd.fields.map((field) => field.label).sort()).toEqual(["__proto__", "constructor", "toString"]);
    const status = notificationCopy({
      eventType: "com.fluxpay.order.status-changed",
      data: {
        orderId: "o-1",
        fromStatus: "toString",
        toStatus: "constructor",
        occurredAt: "2026-02-04T10:30:00Z",
      },
      locale: "en",
    });
    expect(status.fields.map((field) => field.value)).toEqual(
      expect.arrayContaining(["toString", "constructor"]),
    );
  });
});
