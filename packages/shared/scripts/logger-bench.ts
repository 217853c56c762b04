// Per-line cost of createLogger's output path (masking included), on the shapes hot paths
// log at info level. Writes to a sink that drops the text, so only formatting is measured.
// Run: pnpm --filter @fluxnotify/shared exec tsx scripts/logger-bench.ts
import { createLogger } from "../src/logger";

const sink = { write: (_line: string) => {} };
const logger = createLogger({ name: "bench", destination: sink });
const shapes: Record<string, () => void> = {
  "access log": () =>
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
  "send retry": () =>
    logger.info(
      { notificationId: "n-123", code: "SMTP_TIMEOUT", attempt: 2, delayMs: 2000 },
      "send failed; retrying",
    ),
  "with an address": () => logger.info({ to: "kim.minsu@example.com", notificationId: "n-1" }, "email sent"),
};

const ROUNDS = 200_000;
for (const [name, log] of Object.entries(shapes)) {
  for (let i = 0; i < 20_000; i++) log();
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) log();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / ROUNDS);
  }
  console.log(`${name.padEnd(18)} ${best.toFixed(0)} ns/line`);
}
