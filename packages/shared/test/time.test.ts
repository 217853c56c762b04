import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCloudEvent, parseInstant, validateEventData } from "../src/contracts/index";

const utc = (text: string) => {
  const result = parseInstant(text);
  if (!result.ok) throw new Error(`${text}: ${result.reason}`);
  return result.value;
};

describe("parseInstant (CONTRACT §1: RFC 3339, up to nine fractional digits)", () => {
  it.each([
    ["2026-02-04T10:30:00Z", "2026-02-04T10:30:00.000Z"],
    ["2026-02-04T10:30:00.5Z", "2026-02-04T10:30:00.500Z"],
    ["2026-02-04T10:30:00.123456789Z", "2026-02-04T10:30:00.123456789Z"],
    ["2026-02-04T19:30:00.123456789+09:00", "2026-02-04T10:30:00.123456789Z"],
    ["2026-02-04T05:00:00.000001-05:30", "2026-02-04T10:30:00.000001Z"],
    ["2026-02-04T10:30:00-00:00", "2026-02-04T10:30:00.000Z"],
    ["2026-02-04t10:30:00z", "2026-02-04T10:30:00.000Z"],
    ["2026-02-04 10:30:00Z", "2026-02-04T10:30:00.000Z"],
    ["2026-02-05T00:30:00+14:00", "2026-02-04T10:30:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
    ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59.000Z"],
    ["0099-01-01T00:00:00Z", "0099-01-01T00:00:00.000Z"],
    ["2026-02-04T10:30:00.1234567891234Z", "2026-02-04T10:30:00.123456789Z"],
  ])("%s → %s", (text, expected) => {
    expect(utc(text)).toBe(expected);
  });

  it.each([
    ["2026-02-30T10:30:00Z", /day 30, which 2026-02 does not have/],
    ["2026-02-29T10:30:00Z", /day 29, which 2026-02 does not have/],
    ["1900-02-29T10:30:00Z", /day 29/],
    ["2026-04-31T10:30:00Z", /day 31/],
    ["2026-13-01T10:30:00Z", /month 13/],
    ["2026-00-01T10:30:00Z", /month 00/],
    ["2026-02-00T10:30:00Z", /day 00/],
    ["2026-02-04T24:00:00Z", /time 24:00:00/],
    ["2026-02-04T10:60:00Z", /time 10:60:00/],
    ["2026-02-04T10:30:60Z", /time 10:30:60/],
    ["2026-02-04T10:30:00+24:00", /offset \+24:00/],
    ["2026-02-04T10:30:00", /RFC 3339 timestamp with an offset/],
    ["2026-02-04", /RFC 3339/],
    ["Feb 4 2026", /RFC 3339/],
    ["2026-02-04T10:30:00.Z", /RFC 3339/],
    ["2026-2-4T10:30:00Z", /RFC 3339/],
    ["+275760-09-13T00:00:00Z", /RFC 3339/],
    ["0000-01-01T00:00:00+01:00", /outside the years 0000–9999/],
  ])("refuses %s clearly", (text, reason) => {
    const result = parseInstant(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("property: any instant written with any offset and fraction is read as the same UTC instant", () => {
    const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-02T00:00:00Z"),
          max: new Date("9999-12-30T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.stringMatching(/^\d{0,9}$/),
        (date, offsetMinutes, fraction) => {
          const local = new Date(date.getTime() + offsetMinutes * 60_000);
          const offset = `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
          const text = `${local.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ""}${offset}`;
          const expected = `${date.toISOString().slice(0, 19)}.${fraction.padEnd(3, "0")}Z`;
          expect(utc(text)).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("event data and envelopes use it: nine digits and offsets pass, impossible dates are named", () => {
    const data = {
      eventId: "e",
      subscriptionId: "s",
      userId: "u",
      planName: "Pro",
      expiresAt: "2026-03-01T00:00:00.000000001+09:00",
      occurredAt: "2026-02-04T19:30:00.123456789+09:00",
    };
    const ok = validateEventData("com.fluxpay.subscription.expiring", data);
    expect(ok.ok && [ok.data.occurredAt, ok.data.expiresAt]).toEqual([
      "2026-02-04T10:30:00.123456789Z",
      "2026-02-28T15:00:00.000000001Z",
    ]);
    const bad = validateEventData("com.fluxpay.subscription.expiring", {
      ...data,
      expiresAt: "2026-02-30T00:00:00Z",
    });
    expect(bad).toEqual({
      ok: false,
      reason:
        "invalid data for com.fluxpay.subscription.expiring: data.expiresAt: has day 30, which 2026-02 does not have",
    });

    const envelope = (time: string) =>
      decodeCloudEvent({
        value: Buffer.from(
          JSON.stringify({
            specversion: "1.0",
            id: "e",
            source: "s",
            type: "t",
            tenantid: "__default__",
            time,
            data: {},
          }),
        ),
        headers: {},
      });
    expect(envelope("2026-02-04T10:30:00.123456789+09:00")).toMatchObject({
      ok: true,
      event: { tenantid: "__default__" },
    });
    expect(envelope("2026-02-30T10:30:00Z")).toMatchObject({
      ok: false,
      code: "INVALID_ENVELOPE",
      reason: expect.stringMatching(/attribute time must be an RFC 3339 timestamp/),
    });
  });
});
