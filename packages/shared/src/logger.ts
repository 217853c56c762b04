import pino, { type Logger } from "pino";

export type { Logger };

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** `alice@example.com` → `a***@example.com`: enough to correlate, not enough to harvest. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, "$1***@$2");
}

// Values at these paths never reach a log line in clear text.
const SECRET_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "webhookUrl",
  "*.webhookUrl",
  "slackWebhookUrl",
  "*.slackWebhookUrl",
  "smtpUrl",
  "*.smtpUrl",
];

const EMAIL_PATHS = ["email", "*.email", "recipient", "*.recipient", "to", "*.to"];

function censorEmail(value: unknown): unknown {
  return typeof value === "string" ? maskEmails(value) : "[Redacted]";
}

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; stdout by default (tests pass a buffer). */
  destination?: pino.DestinationStream;
}

/**
 * JSON logs on stdout (one object per line) with secrets redacted and email addresses
 * masked both in known fields and inside free-text messages.
 */
export function createLogger({ name, level = "info", destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_PATHS, censor: "[Redacted]" },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg) => (typeof arg === "string" ? maskEmails(arg) : arg));
        const [first] = masked;
        if (first && typeof first === "object" && !(first instanceof Error)) {
          masked[0] = maskEmailFields(first as Record<string, unknown>);
        }
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

function maskEmailFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (typeof value === "string" && (EMAIL_PATHS.includes(key) || value.includes("@"))) {
      copy ??= { ...object };
      copy[key] = censorEmail(value);
    }
  }
  return copy ?? object;
}
