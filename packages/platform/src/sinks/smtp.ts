import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export interface ReceivedMail {
  /** The Message-ID header as sent, e.g. "<notification-id@fluxnotify>" ("" when absent). */
  messageId: string;
  /** Envelope recipients (RCPT TO) that were accepted. */
  to: string[];
  subject?: string;
  html?: string;
  text?: string;
  /** Epoch milliseconds of receipt. */
  at: number;
}

export interface RcptAttempt {
  address: string;
  accepted: boolean;
  at: number;
}

export interface SmtpSinkOptions {
  /** 0 or absent = any free port. */
  port?: number;
  /** Parse each message (subject, html, text). Off = count + Message-ID only, for load runs. */
  parse?: boolean;
  /** Recipients refused with a permanent 550 at RCPT TO. */
  reject?: (rcpt: string) => boolean;
}

export interface SmtpSink {
  readonly port: number;
  /** Every message accepted, in arrival order (kept across close/reopen). */
  readonly received: ReceivedMail[];
  readonly rcptAttempts: RcptAttempt[];
  /** Replaces the refusal rule (undefined = accept everyone). */
  rejectRecipients(predicate: ((rcpt: string) => boolean) | undefined): void;
  /** Stops listening: new connections are refused, open ones are dropped. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  isOpen(): boolean;
  stop(): Promise<void>;
}

const HEADER_END = "\r\n\r\n";

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** The Message-ID header without a MIME parser: the fast path for load runs. */
function messageIdOf(raw: Buffer): string {
  const text = raw.toString("latin1");
  const headerEnd = text.indexOf(HEADER_END);
  const headers = (headerEnd >= 0 ? text.slice(0, headerEnd) : text).replace(/\r\n[ \t]+/g, " ");
  return /^message-id:\s*(.+)$/im.exec(headers)?.[1]?.trim() ?? "";
}

async function toReceived(raw: Buffer, session: SMTPServerSession, parse: boolean): Promise<ReceivedMail> {
  const to = session.envelope.rcptTo.map((r) => r.address);
  if (!parse) return { messageId: messageIdOf(raw), to, at: Date.now() };
  const mail = await simpleParser(raw);
  return {
    messageId: mail.messageId ?? messageIdOf(raw),
    to,
    subject: mail.subject,
    html: typeof mail.html === "string" ? mail.html : undefined,
    text: mail.text,
    at: Date.now(),
  };
}

/** A recording SMTP server on loopback (no TLS, no auth), standing in for the provider. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const rcptAttempts: RcptAttempt[] = [];
  let reject = options.reject;
  let port = options.port ?? 0;
  let server: SMTPServer | undefined;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      // Pooled client connections would otherwise hold close() open for 30 s.
      closeTimeout: 200,
      onRcptTo(address, _session, callback) {
        const refused = reject?.(address.address) ?? false;
        rcptAttempts.push({ address: address.address, accepted: !refused, at: Date.now() });
        if (!refused) return callback();
        const error = Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), {
          responseCode: 550,
        });
        return callback(error);
      },
      onData(stream, session, callback) {
        readAll(stream)
          .then((raw) => toReceived(raw, session, options.parse ?? true))
          .then((mail) => {
            received.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });

  const open = async () => {
    const next = create();
    // A client dying mid-session (a SIGKILLed email worker: ECONNRESET) is reported as an
    // 'error' on the server; unhandled, it would crash the process recording the receipts.
    next.on("error", () => {});
    await new Promise<void>((resolve, fail) => {
      next.server.once("error", fail);
      next.listen(port, "127.0.0.1", () => {
        next.server.off("error", fail);
        resolve();
      });
    });
    port = (next.server.address() as AddressInfo).port;
    server = next;
  };
  const close = async () => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await open();
  return {
    get port() {
      return port;
    },
    received,
    rcptAttempts,
    rejectRecipients(predicate) {
      reject = predicate;
    },
    close,
    async reopen() {
      if (!server) await open();
    },
    isOpen: () => server !== undefined,
    stop: close,
  };
}
