import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_DECIMAL_DIGITS,
  normaliseDecimal,
  parseJsonExact,
  validateEventData,
} from "../src/contracts/index";

const value = (text: string) => {
  const result = normaliseDecimal(text);
  if (!result.ok) throw new Error(`${text}: ${result.reason}`);
  return result.value;
};

/** The exact value of a plain decimal as (unscaled, scale), as BigDecimal holds it. */
function exact(plain: string): { unscaled: bigint; scale: number } {
  const [integer = "", fraction = ""] = plain.split(".");
  return { unscaled: BigInt(`${integer}${fraction}`), scale: fraction.length };
}

/** Digits of a coefficient, with the decimal point moved `shift` places left, in E notation. */
function scientific(coefficient: bigint, scale: number, shift: number, e: "E" | "e", plus: boolean): string {
  const sign = coefficient < 0n ? "-" : "";
  const digits = (coefficient < 0n ? -coefficient : coefficient).toString();
  const cut = Math.max(digits.length - shift, 1);
  const mantissa = cut < digits.length ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : digits;
  const exponent = digits.length - cut - scale;
  return `${sign}${mantissa}${e}${exponent >= 0 && plus ? "+" : ""}${exponent}`;
}

describe("normaliseDecimal (CONTRACT §1: any JSON number, exact)", () => {
  it.each([
    ["15000", "15000"],
    ["15000.00", "15000.00"],
    ["1.5E+4", "15000"],
    ["1.5e4", "15000"],
    ["1.5E4", "15000"],
    ["15E3", "15000"],
    ["1.50000E+4", "15000.0"],
    ["150E-2", "1.50"],
    ["1E-3", "0.001"],
    ["-1.5E+4", "-15000"],
    ["-0", "0"],
    ["-0.00", "0.00"],
    ["0E+3", "0"],
    ["0E-3", "0.000"],
    ["0.0001", "0.0001"],
    ["23500.50", "23500.50"],
    ["00015000", "15000"],
    ["1E+0000000000002", "100"],
    [`9${"9".repeat(37)}`, `9${"9".repeat(37)}`],
    ["1E+37", `1${"0".repeat(37)}`],
    ["1E-38", `0.${"0".repeat(37)}1`],
  ])("%s → %s", (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it.each([
    "",
    " 1",
    "1 ",
    "+1",
    "1.",
    ".5",
    "1e",
    "1e+",
    "0x10",
    "Infinity",
    "NaN",
    "1,5",
    "1.5E+4.0",
    "--1",
  ])("refuses %j as not a number", (text) => {
    expect(normaliseDecimal(text)).toEqual({
      ok: false,
      reason: "must be a decimal number such as 15000.00",
    });
  });

  it.each([
    ["400 digits", "1".repeat(400), /has 400 digits; an amount may have at most 38 digits/],
    ["39 integer digits", "1E+38", /has 39 digits/],
    ["39 fraction digits", "1E-39", /has 39 digits/],
    ["a scale the cap cannot hold", `1.${"0".repeat(40)}`, /has 41 digits/],
    ["a huge exponent", "1E+999999", /has 1000000 digits/],
    ["a huge negative exponent", "1E-999999", /has 999999 digits/],
    ["an exponent too long to read", "1E+99999999999999999999", /has an exponent of that size/],
  ])("refuses %s with a clear reason", (_what, text, reason) => {
    const result = normaliseDecimal(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("bounds the work: 1E+999999 is refused without building a million digits", () => {
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) normaliseDecimal("1E+999999");
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("property: every notation of one value gives the same exact plain form, its scale kept", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: -10, max: 15 }),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom("E" as const, "e" as const),
        fc.boolean(),
        (coefficient, scale, shift, e, plus) => {
          const plain = value(`${coefficient}E${-scale}`);
          const got = exact(plain);
          // Nothing lost or invented: the same number, with the producer's scale (≥ 0).
          const expectedScale = Math.max(scale, 0);
          const expected = scale >= 0 ? coefficient : coefficient * 10n ** BigInt(-scale);
          expect(got).toEqual({ unscaled: expected, scale: expectedScale });
          expect(value(scientific(coefficient, scale, shift, e, plus))).toBe(plain);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("property: a JSON number JavaScript writes is read as the same number", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (double) => {
        const text = JSON.stringify(double);
        const result = normaliseDecimal(text);
        if (result.ok) expect(Number(result.value)).toBe(Object.is(double, -0) ? 0 : double);
        else expect(result.reason).toMatch(/at most 38 digits/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("property: any text is either refused or a plain decimal within the cap; it never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^-?\d{1,45}(\.\d{1,45})?([eE][+-]?\d{1,8})?$/)),
        (text) => {
          const result = normaliseDecimal(text);
          if (!result.ok) return;
          expect(result.value).toMatch(/^-?\d+(\.\d+)?$/);
          expect(result.value.replace(/^-?0*\.?/, "").replace(".", "").length).toBeLessThanOrEqual(
            MAX_DECIMAL_DIGITS,
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("amounts in FluxPay event data", () => {
  const approved = (amount: string) =>
    validateEventData(
      "com.fluxpay.payment.approved",
      parseJsonExact(
        `{"eventId":"e","paymentId":"p","orderId":"o","amount":${amount},"currency":"KRW","occurredAt":"2026-02-04T10:30:00Z"}`,
      ),
    );

  it("accepts what Jackson writes for one BigDecimal and keeps it exact", () => {
    for (const [json, expected] of [
      ["15000.00", "15000.00"],
      ["15000", "15000"],
      ["1.5E+4", "15000"],
      ["1.5e4", "15000"],
      ["-0", "0"],
      ["150E-2", "1.50"],
      ['"23500.50"', "23500.50"],
    ] as const) {
      const result = approved(json);
      expect(result.ok && result.data.amount, json).toBe(expected);
    }
  });

  it("names the field and the cap when an amount is out of range", () => {
    const result = approved("1".repeat(400));
    expect(result).toEqual({
      ok: false,
      reason:
        "invalid data for com.fluxpay.payment.approved: data.amount: has 400 digits; an amount may have at most 38 digits (what numeric(38, s) holds)",
    });
    expect(approved("1E+999999").ok).toBe(false);
  });
});
