import { describe, expect, it } from "vitest";
import { describePayload } from "../web/src/lib/payload";

/** The dead-letter detail's payload view: what an operator reads must be what was sent. */
describe("describePayload", () => {
  it("pretty-prints JSON without touching a value: amounts keep their digits, ids their precision", () => {
    const value =
      '{"amount":15000.00,"id":12345678901234567890,"note":"a \\"quoted\\" {brace}, [x]","e":[],"o":{}}';
    const payload = describePayload(value, "utf8");
    expect(payload).toEqual({
      kind: "json",
      truncated: false,
      text: [
        "{",
        '  "amount": 15000.00,',
        '  "id": 12345678901234567890,',
        '  "note": "a \\"quoted\\" {brace}, [x]",',
        '  "e": [],',
        '  "o": {}',
        "}",
      ].join("\n"),
    });
    // Still the same document.
    expect(JSON.parse((payload as { text: string }).text)).toEqual(JSON.parse(value));
  });

  it("shows text that is not JSON as it is, bytes as base64 with their count, and says when there is none", () => {
    expect(describePayload("<script>alert(1)</script> not json", "utf8")).toEqual({
      kind: "text",
      text: "<script>alert(1)</script> not json",
      truncated: false,
    });
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString("base64");
    expect(describePayload(bytes, "base64")).toEqual({
      kind: "binary",
      base64: bytes,
      bytes: 4,
      truncated: false,
    });
    expect(describePayload(null, null)).toEqual({ kind: "none" });
  });

  it("shows the first 200,000 characters of a huge value, and says it is cut", () => {
    const payload = describePayload("x".repeat(300_000), "utf8");
    expect(payload).toMatchObject({ kind: "text", truncated: true });
    expect((payload as { text: string }).text).toHaveLength(200_000);
  });
});
