import { trace } from "@opentelemetry/api";
import pino, { type Logger } from "pino";
import { sanitizeFields, serializeError, withoutQueryParams } from "./logging/sanitize";
import { scrubSecrets } from "./logging/scrub";

export { maskEmails } from "./logging/scrub";
export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; stdout by default (tests pass a buffer). */
  destination?: pino.DestinationStream;
  /** Tracing is on: lines logged inside a span carry its trace_id and span_id. */
  traceIds?: boolean;
}

/** The active span's ids, for a log line to be found from its trace (and the reverse). */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * JSON logs on stdout, one object per line, that never hold a secret or a full address.
 * Two layers, because neither alone is enough:
 * - structure: fields named like secrets are redacted at any depth, and errors (also causes,
 *   AggregateError members, errors nested in fields) are serialized without the values a
 *   query ran with (drizzle's "params: …", postgres.js `parameters`/`args`, PostgreSQL's
 *   row details);
 * - text: the finished line is masked for email addresses, URL credentials, webhook and
 *   push-endpoint paths, secret query parameters, bearer tokens and JWTs, wherever they are.
 */
export function createLogger({ name, level = "info", destination, traceIds }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    name,
    // Only with tracing on: otherwise every line would ask the no-op API for a span.
    ...(traceIds ? { mixin: traceFields } : {}),
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => sanitizeFields(object, "err"),
    },
    hooks: {
      // pino takes the message of `logger.error(err)` / `logger.error({ err })` from the raw
      // error; hand it the cut one instead.
      logMethod(args, method) {
        if (args.length === 1) {
          const [first] = args as unknown[];
          const error = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
          if (error instanceof Error) {
            const object = first instanceof Error ? { err: first } : first;
            return method.call(this, object as object, withoutQueryParams(error.message));
          }
        }
        return method.apply(this, args);
      },
      streamWrite: scrubSecrets,
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino formats a child's bindings without the log formatter (and `formatters.bindings`
  // applies to the root's only), so sanitize them on the way in. Children inherit this
  // `child` through their prototype, so grandchildren are covered too.
  const child = logger.child;
  logger.child = function sanitizedChild(this: Logger, bindings, childOptions) {
    return child.call(this, sanitizeFields(bindings), childOptions);
  } as Logger["child"];
  return logger;
}
