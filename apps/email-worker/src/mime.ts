import { randomBytes } from "node:crypto";
import MimeNode from "nodemailer/lib/mime-node";
import type { RenderedEmail } from "./email-copy";

/**
 * The whole message as one buffer, handed to nodemailer as `raw`. Composed by nodemailer,
 * a message runs through a MIME tree, per-part encoders and half a dozen streams and
 * leaves in a dozen socket writes; built here it is a few string joins, two native base64
 * encodes and one write (the send stage's CPU per email: scripts/bench.ts, `--compose
 * nodemailer` for the other way). What needs real MIME encoding still gets nodemailer's: the From and
 * Subject fields are built by its MimeNode, once per distinct value (a subject is a
 * constant per event type and locale). A message whose recipient or id is not plain ASCII
 * (an internationalised address, an id that would need encoding) is left to nodemailer.
 */

/** An addr-spec that needs no encoding, punycode or SMTPUTF8: atext local part, LDH domain. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,189}$/;
/** Notification ids are UUIDs; anything else goes through nodemailer's header encoding. */
const PLAIN_ID = /^[A-Za-z0-9._-]{1,200}$/;
const LINE = 76;
/** Subjects kept encoded: a few per event type and locale; the bound only guards against a surprise. */
const MAX_CACHED_SUBJECTS = 256;

/**
 * `key: value` as nodemailer writes that header field (encoded words, folding), without
 * the final CRLF; always ASCII, which the latin1 encoding of the message relies on.
 */
function nodemailerField(key: string, value: string): string {
  const headers = new MimeNode("text/plain").setHeader(key, value).buildHeaders();
  const field = headers
    .split(/\r\n(?![ \t])/)
    .find((f) => f.toLowerCase().startsWith(`${key.toLowerCase()}:`));
  if (!field || !/^\p{ASCII}*$/u.test(field)) throw new Error(`nodemailer wrote no ASCII ${key} header`);
  return field;
}

/** Base64 in lines of 76 (RFC 2045 §6.8), each ended with CRLF. */
function base64Lines(text: string): string {
  const encoded = Buffer.from(text, "utf8").toString("base64");
  let out = "";
  for (let i = 0; i < encoded.length; i += LINE) out += `${encoded.slice(i, i + LINE)}\r\n`;
  return out;
}

export interface MimeComposer {
  /** The message, or undefined when nodemailer must compose it (see PLAIN_ADDRESS, PLAIN_ID). */
  compose(email: RenderedEmail, to: string, messageId: string, notificationId: string): Buffer | undefined;
}

export function createMimeComposer(from: string): MimeComposer {
  const fromField = nodemailerField("From", from);
  const subjects = new Map<string, string>();
  // Underscores never occur in base64, and the parts are all base64: the boundary cannot
  // occur in them (RFC 2046 §5.1.1).
  const boundary = `----_fluxnotify_${randomBytes(12).toString("hex")}`;
  const parts = (contentType: string, body: string) =>
    `--${boundary}\r\nContent-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`;

  function subjectField(subject: string): string {
    let field = subjects.get(subject);
    if (field === undefined) {
      field = nodemailerField("Subject", subject);
      if (subjects.size >= MAX_CACHED_SUBJECTS) subjects.clear();
      subjects.set(subject, field);
    }
    return field;
  }

  return {
    compose(email, to, messageId, notificationId) {
      if (!PLAIN_ADDRESS.test(to) || !PLAIN_ID.test(notificationId)) return undefined;
      const date = new Date().toUTCString().replace(/GMT/, "+0000");
      const message =
        `${fromField}\r\nTo: ${to}\r\n${subjectField(email.subject)}\r\nMessage-ID: ${messageId}\r\n` +
        `X-Notification-Id: ${notificationId}\r\nDate: ${date}\r\nMIME-Version: 1.0\r\n` +
        `Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
        parts("text/plain", base64Lines(email.text)) +
        parts("text/html", base64Lines(email.html)) +
        `--${boundary}--\r\n`;
      return Buffer.from(message, "latin1");
    },
  };
}
