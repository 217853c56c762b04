import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import { type NotificationSettings, recipientContext } from "@fluxnotify/shared/contracts";
import type { ChannelStrategy, Classification } from "@fluxnotify/shared/delivery";
import { AppError, NonRetryableError } from "@fluxnotify/shared/errors";
import nodemailer from "nodemailer";
import addressparser from "nodemailer/lib/addressparser";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import type { RenderedEmail } from "./email-copy";
import type { EmailRenderer } from "./email-renderer";
import { createMimeComposer } from "./mime";

export interface SmtpConfig {
  url?: string | undefined;
  host: string;
  port: number;
  user?: string | undefined;
  pass?: string | undefined;
  secure: boolean;
  /** Connections the pool opens at most (SMTP_POOL_SIZE). */
  poolSize: number;
  /** Messages one connection carries before the pool replaces it (SMTP_MAX_MESSAGES_PER_CONNECTION). */
  maxMessagesPerConnection: number;
  timeoutMs: number;
  from: string;
}

/**
 * Pooled transport: up to `poolSize` long-lived SMTP connections shared by all concurrent
 * sends (nodemailer's SMTPPool, 10.x semantics, read from its source):
 *
 * - A send waits in the pool's queue until a connection is free; the runtime's CONCURRENCY
 *   bounds how many wait, so the pool's `idle` event (room in its queue) is not needed.
 * - With PIPELINING offered (RFC 2920; smtp-server and every large provider do), MAIL FROM,
 *   RCPT TO and DATA go out in one write: two round trips per message instead of four.
 * - A refusal of one message (4xx/5xx to MAIL/RCPT/DATA) leaves the connection up: the pool
 *   sends RSET and reuses it, and the error (with its `responseCode`) reaches classifyEmail
 *   as before. Any other error closes that connection; the message fails (retried by the
 *   runtime) or, if the connection closed first, is requeued by the pool (`maxRequeues`, 5).
 * - A connection the server dropped while idle is noticed on its next use and the message
 *   goes out over a new one; idle connections are closed after 4 minutes (nodemailer's
 *   `idleTimeout`, below the 5 minutes RFC 5321 asks servers to wait).
 * - After `maxMessages` a connection is replaced, so a long run rebalances across servers
 *   behind a load balancer and stays under per-session limits.
 */
export function createSmtpTransport(config: SmtpConfig) {
  const common = {
    pool: true as const,
    maxConnections: config.poolSize,
    maxMessages: config.maxMessagesPerConnection,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs * 3,
  };
  const options: SMTPPool.Options = config.url
    ? { ...common, url: config.url }
    : {
        ...common,
        host: config.host,
        port: config.port,
        secure: config.secure,
        ...(config.user ? { auth: { user: config.user, pass: config.pass ?? "" } } : {}),
      };
  return nodemailer.createTransport(options);
}

export type SmtpTransport = ReturnType<typeof createSmtpTransport>;

// Deliberately loose: the SMTP server is the judge; this only stops obvious garbage early.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const DOWN_ERRNO = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

export const messageIdFor = (notificationId: string) => `<${notificationId}@fluxnotify>`;

export function classifyEmail(error: unknown): Classification {
  if (error instanceof AppError)
    return { kind: error.retryable ? "transient" : "permanent", code: error.code };
  const err = error as { code?: string; responseCode?: number; message?: string };
  if (typeof err.responseCode === "number") {
    // 5xx: the server refused this message/recipient for good (e.g. 550 no such mailbox).
    if (err.responseCode >= 500) return { kind: "permanent", code: `SMTP_${err.responseCode}` };
    if (err.responseCode >= 400) return { kind: "transient", code: `SMTP_${err.responseCode}` };
  }
  const message = err.message ?? "";
  const errno = [...DOWN_ERRNO].find((code) => message.includes(code));
  if (err.code === "EDNS" || (err.code === "ESOCKET" && errno))
    return { kind: "provider_down", code: "SMTP_UNREACHABLE" };
  if (err.code === "ETIMEDOUT" || /timeout/i.test(message))
    return { kind: "transient", code: "SMTP_TIMEOUT", timeout: true };
  return { kind: "transient", code: `SMTP_${err.code ?? "ERROR"}` };
}

export interface EmailStrategyOptions {
  from: string;
  /** Compiled templates (createEmailRenderer): one per process, shared by every send. */
  renderer: EmailRenderer;
  /**
   * Who writes the MIME message: "prebuilt" (default; mime.ts, nodemailer for what needs
   * encoding) or "nodemailer" for all of it (the bench's comparison, tests).
   */
  compose?: "prebuilt" | "nodemailer";
  /** The user's settings as they are now; used to readdress replayed commands. */
  currentSettings?: (tenantId: string, userId: string) => Promise<NotificationSettings>;
}

export function emailStrategy(
  transport: SmtpTransport,
  options: EmailStrategyOptions,
): ChannelStrategy<RenderedEmail> {
  const { currentSettings, renderer } = options;
  const mime = options.compose === "nodemailer" ? undefined : createMimeComposer(options.from);
  // MAIL FROM: the address of MAIL_FROM, as nodemailer takes it from a From header.
  const envelopeFrom = addressparser(options.from, { flatten: true })[0]?.address ?? options.from;
  return {
    channel: "EMAIL",
    provider: "smtp",
    ...(currentSettings && {
      async readdress(command) {
        const now = await currentSettings(command.tenantId, command.recipient.userId);
        const [current] = CHANNEL_DEFINITIONS.EMAIL.destinations(
          recipientContext(command.tenantId, command.recipient.userId, now),
        );
        // No address any more: the operator asked for this replay, so the old one is used.
        if (!current) return command;
        return {
          ...command,
          destination: current.address,
          display: current.display,
          recipient: { ...command.recipient, locale: now.locale, timeZone: now.timeZone },
        };
      },
    }),
    render: (command) => {
      if (!ADDRESS.test(command.destination)) {
        throw new NonRetryableError("EMAIL_ADDRESS_INVALID", "destination is not an email address");
      }
      return renderer.render(command);
    },
    async send(rendered, command) {
      const messageId = messageIdFor(command.notificationId);
      const raw = mime?.compose(rendered, command.destination, messageId, command.notificationId);
      const info = await transport.sendMail(
        raw
          ? // Nothing in a raw message is parsed: the envelope and the id are given as well.
            { raw, envelope: { from: envelopeFrom, to: [command.destination] }, messageId }
          : {
              from: options.from,
              to: command.destination,
              subject: rendered.subject,
              html: rendered.html,
              text: rendered.text,
              messageId,
              headers: { "X-Notification-Id": command.notificationId },
            },
      );
      if (info.rejected.length > 0) {
        throw new NonRetryableError("SMTP_RECIPIENT_REJECTED", `recipient rejected: ${info.response}`);
      }
      return { providerMessageId: info.messageId };
    },
    classify: classifyEmail,
    probe: async () => {
      await transport.verify();
    },
  };
}
