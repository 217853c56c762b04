import { setTimeout as sleep } from "node:timers/promises";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { expect, test } from "vitest";
import { loadEnv, tracingEnv } from "../src/env";
import { createLogger } from "../src/logger";
import { inSpan, startTracing } from "../src/tracing/index";

test("a failing export is logged once as a warning, and the traced work is not affected", async () => {
  const refused: SpanExporter = {
    export: (_spans, done) => done({ code: 1, error: new Error("collector said 503") }),
    shutdown: async () => {},
  };
  const tracing = startTracing("test-app", loadEnv(tracingEnv, { OTEL_BSP_SCHEDULE_DELAY: "10" }), refused);
  const lines: string[] = [];
  tracing.reportErrorsTo(
    createLogger({ name: "t", destination: { write: (line: string) => void lines.push(line) } }),
  );
  for (let i = 0; i < 3; i++) {
    expect(await inSpan("work", {}, async () => i)).toBe(i);
    await sleep(100); // the batch processor's own export, whose failure goes to the handler
  }
  await tracing.shutdown().catch(() => {});
  const warnings = lines.map((line) => JSON.parse(line)).filter((line) => line.level === "warn");
  expect(warnings).toHaveLength(1);
  expect(warnings[0].msg).toMatch(/span export failed/);
});
