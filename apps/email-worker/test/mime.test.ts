import { EVENT_TYPES } from "@fluxnotify/shared/contracts";
import { SAMPLE_TEMPLATE_DATA } from "@fluxnotify/shared/delivery/testing";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, test } from "vitest";
import { createEmailRenderer } from "../src/email-renderer";
import { createMimeComposer } from "../src/mime";
import { messageIdFor } from "../src/strategy";

const renderer = createEmailRenderer();
const id = "0b9f3c1e-7a52-4d1b-9a0e-5d2f8c6b4e11";

/** What a mail client sees of a message. */
async function seen(raw: Buffer) {
  const mail = await simpleParser(raw);
  return {
    from: mail.from?.value,
    to: mail.to && !Array.isArray(mail.to) ? mail.to.value : mail.to,
    subject: mail.subject,
    messageId: mail.messageId,
    notificationId: mail.headers.get("x-notification-id"),
    mimeVersion: mail.headers.get("mime-version"),
    hasDate: mail.date instanceof Date && !Number.isNaN(mail.date.getTime()),
    html: mail.html,
    text: mail.text,
  };
}

describe("prebuilt MIME message", () => {
  for (const from of [
    "FluxPay <no-reply@fluxnotify.test>",
    '"플럭스페이, 알림" <no-reply@fluxnotify.test>',
  ]) {
    test(`reads the same as nodemailer's composition, every event type and locale (From: ${from})`, async () => {
      const composer = createMimeComposer(from);
      for (const eventType of EVENT_TYPES) {
        for (const locale of ["ko", "en"] as const) {
          const email = await renderer.render({
            eventType,
            templateData: { ...SAMPLE_TEMPLATE_DATA[eventType], reason: "<&>\"' 😀 \u200b 한글 ".repeat(30) },
            recipient: { userId: "u1", locale, timeZone: "Asia/Seoul" },
          });
          const to = "o'brien+tag@sub.example.com";
          const raw = composer.compose(email, to, messageIdFor(id), id);
          if (!raw) throw new Error("expected a prebuilt message");
          expect(raw.toString("latin1")).toMatch(/^\p{ASCII}*$/u);
          expect(
            raw
              .toString("latin1")
              .split("\r\n")
              .every((line) => line.length <= 998),
          ).toBe(true);
          const reference = await new MailComposer({
            from,
            to,
            subject: email.subject,
            html: email.html,
            text: email.text,
            messageId: messageIdFor(id),
            headers: { "X-Notification-Id": id },
          })
            .compile()
            .build();
          expect(await seen(raw)).toEqual(await seen(reference));
          expect((await seen(raw)).html).toBe(email.html);
        }
      }
    });
  }

  test("leaves to nodemailer what needs encoding: an internationalised address, an id that is not plain", async () => {
    const composer = createMimeComposer("FluxPay <no-reply@fluxnotify.test>");
    const email = { subject: "s", html: "<p>h</p>", text: "h" };
    expect(composer.compose(email, "user@bücher.example", "<x@fluxnotify>", id)).toBeUndefined();
    expect(composer.compose(email, "사용자@example.com", "<x@fluxnotify>", id)).toBeUndefined();
    expect(
      composer.compose(email, "user@example.com", "<x@fluxnotify>", "a\r\nBcc: x@evil.test"),
    ).toBeUndefined();
    expect(composer.compose(email, "user@example.com", "<x@fluxnotify>", id)).toBeInstanceOf(Buffer);
  });
});
