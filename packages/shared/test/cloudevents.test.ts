import { describe, expect, it } from "vitest";
import { decodeCloudEvent, validateEventData } from "../src/contracts/index";

const envelope = {
  specversion: "1.0",
  id: "3f2c9a4e-8d0b-4a57-9b8e-2f1d6c0a7e11",
  source: "fluxpay-engine",
  type: "com.fluxpay.payment.approved",
  datacontenttype: "application/json",
  time: "2026-02-04T10:30:00Z",
  tenantid: "tenant-a",
};
const dataJson =
  '{"eventId":"3f2c9a4e","paymentId":"p-1","orderId":"o-1","amount":15000.00,"currency":"KRW","occurredAt":"2026-02-04T10:30:00Z","extra":{"ignored":true}}';
const structuredJson = `{${Object.entries(envelope)
  .map(([k, v]) => `"${k}":${JSON.stringify(v)}`)
  .join(",")},"data":${dataJson}}`;

const record = (value: string | Buffer | null, headers: Record<string, string> = {}) => ({
  value: typeof value === "string" ? Buffer.from(value) : value,
  headers,
});

describe("decodeCloudEvent", () => {
  it("decodes structured mode and keeps amounts as exact decimals", () => {
    const result = decodeCloudEvent(record(structuredJson));
    expect(result.ok && result.encoding).toBe("structured");
    if (!result.ok) throw new Error(result.reason);
    expect(result.event).toMatchObject({ id: envelope.id, type: envelope.type, tenantid: "tenant-a" });
    expect((result.event.data as { amount: string }).amount).toBe("15000.00");
  });

  it("decodes a structured envelope wrapped in a JSON string (with __TypeId__)", () => {
    const result = decodeCloudEvent(
      record(JSON.stringify(structuredJson), { __TypeId__: "java.lang.String" }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.encoding).toBe("structured-string");
    expect((result.event.data as { amount: string }).amount).toBe("15000.00");
  });

  it("decodes binary mode from ce_ headers", () => {
    const result = decodeCloudEvent(
      record(dataJson, {
        ce_specversion: "1.0",
        ce_id: envelope.id,
        ce_type: envelope.type,
        ce_source: envelope.source,
        ce_time: envelope.time,
        ce_tenantid: "tenant-a",
        "content-type": "application/json",
      }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.encoding).toBe("binary");
    expect(result.event).toMatchObject({
      id: envelope.id,
      tenantid: "tenant-a",
      datacontenttype: "application/json",
    });
  });

  it("keeps decimals exact beyond double precision", () => {
    const result = decodeCloudEvent(record(structuredJson.replace("15000.00", "12345678901234567.89")));
    if (!result.ok) throw new Error(result.reason);
    expect((result.event.data as { amount: string }).amount).toBe("12345678901234567.89");
  });

  it.each([
    ["malformed JSON", record("{not json"), "MALFORMED_JSON", /value is not valid JSON/],
    ["a bad inner string", record(JSON.stringify("{oops")), "MALFORMED_JSON", /JSON-string-wrapped value/],
    ["an empty value", record(""), "EMPTY_VALUE", /empty/],
    ["a null value", record(null), "EMPTY_VALUE", /empty/],
    ["an array", record("[1,2]"), "INVALID_ENVELOPE", /must be a JSON object, got array/],
    [
      "a missing id",
      record(structuredJson.replace(`"id":"${envelope.id}",`, "")),
      "INVALID_ENVELOPE",
      /missing required attribute id$/,
    ],
    [
      "a missing tenant",
      record(structuredJson.replace('"tenantid":"tenant-a",', "")),
      "INVALID_ENVELOPE",
      /attribute tenantid/,
    ],
    [
      "an empty type",
      record(structuredJson.replace(envelope.type, " ")),
      "INVALID_ENVELOPE",
      /type must be a non-empty string/,
    ],
    [
      "a bad specversion",
      record(structuredJson.replace('"1.0"', '"0.3"')),
      "INVALID_ENVELOPE",
      /specversion/,
    ],
    [
      "a bad time",
      record(structuredJson.replace(envelope.time, "yesterday")),
      "INVALID_ENVELOPE",
      /time must be/,
    ],
    ["no data", record(JSON.stringify(envelope)), "INVALID_ENVELOPE", /missing data/],
    [
      "binary without ce_id",
      record(dataJson, { ce_specversion: "1.0", ce_type: "x", ce_source: "s", ce_tenantid: "t" }),
      "INVALID_ENVELOPE",
      /missing required header ce_id/,
    ],
    ["binary with bad data", record("{", { ce_specversion: "1.0" }), "MALFORMED_JSON", /binary-mode data/],
  ])("rejects %s with a precise reason", (_name, input, code, reason) => {
    const result = decodeCloudEvent(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.reason).toMatch(reason);
  });

  it("rejects a value over the size limit before parsing it", () => {
    const result = decodeCloudEvent(record(`{"pad":"${"x".repeat(2000)}"}`), 1024);
    expect(result).toEqual({
      ok: false,
      code: "VALUE_TOO_LARGE",
      reason: expect.stringMatching(/over the 1024-byte limit/),
    });
  });
});

describe("validateEventData", () => {
  it("accepts valid data, strips unknown fields, normalises times", () => {
    const result = validateEventData("com.fluxpay.payment.approved", {
      eventId: "e",
      paymentId: "p",
      orderId: "o",
      amount: "15000.00",
      currency: "KRW",
      occurredAt: "2026-02-04T19:30:00+09:00",
      unknown: 1,
    });
    expect(result).toEqual({
      ok: true,
      data: {
        eventId: "e",
        paymentId: "p",
        orderId: "o",
        amount: "15000.00",
        currency: "KRW",
        occurredAt: "2026-02-04T10:30:00.000Z",
      },
    });
  });

  it("names every bad field", () => {
    const result = validateEventData("com.fluxpay.subscription.renewed", {
      eventId: "e",
      userId: "u",
      amount: "abc",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const field of [
      "data.subscriptionId",
      "data.planName",
      "data.amount",
      "data.currency",
      "data.currentPeriodEnd",
      "data.occurredAt",
    ]) {
      expect(result.reason).toContain(field);
    }
  });
});
