// Per-line cost of createLogger's output path (both masking layers), against plain pino with
// the same base options, on the shapes hot paths log at info level (and one error, which is
// not a hot path). The sink drops the text, so only building the line is measured.
// Run: pnpm --filter @fluxnotify/shared exec tsx scripts/logger-bench.ts
import pino from "pino";
import { createLogger, type Logger } from "../src/logger";

const sink = { write: (_line: string) => {} };
const loggers: Record<string, Logger> = {
  "plain pino": pino({ base: { service: "bench" }, timestamp: pino.stdTimeFunctions.isoTime }, sink),
  createLogger: createLogger({ name: "bench", destination: sink }),
};
const dbError = () => {
  const cause = Object.assign(new Error('relation "user_notification_settings" does not exist'), {
    code: "42P01",
  });
  const error = new Error('Failed query: select 1 from "x" where a = $1\nparams: kim.minsu@example.com');
  return Object.assign(error, { query: 'select 1 from "x" where a = $1', params: ["kim"], cause });
};
const shapes: Record<string, (logger: Logger) => void> = {
  "access log": (logger) =>
    logger.info(
      {
        requestId: "6f1c0f7e-3c1a-4a8e-9d7a-0b2f1c3d4e5f",
        method: "GET",
        route: "/api/v1/x",
        status: 200,
        durationMs: 1.25,
      },
      "request",
    ),
  "send retry": (logger) =>
    logger.info(
      { notificationId: "n-123", code: "SMTP_TIMEOUT", attempt: 2, delayMs: 2000 },
      "send failed; retrying",
    ),
  "with an address": (logger) =>
    logger.info({ to: "kim.minsu@example.com", notificationId: "n-1" }, "email sent"),
  "database error": (logger) => logger.error({ err: dbError(), requestId: "r-1" }, "unhandled request error"),
};

const ROUNDS = 30_000;
function nsPerLine(log: () => void): number {
  for (let i = 0; i < 10_000; i++) log();
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 9; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) log();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / ROUNDS);
  }
  return best;
}

for (const [shape, log] of Object.entries(shapes)) {
  const cells = Object.entries(loggers).map(
    ([name, logger]) => `${name} ${nsPerLine(() => log(logger)).toFixed(0)} ns`,
  );
  console.log(`${shape.padEnd(16)} ${cells.join("   ")}`);
}
