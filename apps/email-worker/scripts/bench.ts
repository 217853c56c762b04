/**
 * Email worker benchmark (a script, never a test), in CPU time of this process
 * (`process.cpuUsage`: user + system, all threads); the SMTP stand-in runs in a child
 * process so its work is not counted. Three stages, each after a warm-up:
 *
 * - render:   the renderer alone, one command after another;
 * - send:     render + nodemailer over the pool to the stand-in, `concurrency` in flight;
 * - pipeline: the channel runtime through the real broker and Redis (runDeliveryBench), and
 *             the same with a strategy that does nothing (dedup, Kafka in and out, delivery
 *             events, and the bench's own producer and collector): the difference is the email.
 *
 * `pnpm --filter @fluxnotify/email-worker bench [commands=2000] [concurrency=64] [partitions=6] [smtpPool=5] [--direct] [--nodemailer-mime]`
 * `--direct` renders every message with React + html-to-text, as the worker did before the
 * compiled templates (the same code the oracle test compares them with); `--nodemailer-mime`
 * has nodemailer compose every message, as before mime.ts. Both: the worker as it was.
 */
import { type ChildProcess, fork } from "node:child_process";
import { EVENT_TYPES } from "@fluxnotify/shared/contracts";
import type { ChannelStrategy } from "@fluxnotify/shared/delivery";
import { runDeliveryBench, SAMPLE_TEMPLATE_DATA, sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { createLogger } from "@fluxnotify/shared/logger";
import { createRedis } from "@fluxnotify/shared/redis";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { createEmailRenderer, type EmailRenderer } from "../src/email-renderer";
import { renderEmailDirect } from "../src/react-render";
import { classifyEmail, createSmtpTransport, emailStrategy } from "../src/strategy";

const args = process.argv.slice(2);
const direct = args.includes("--direct");
const compose = args.includes("--nodemailer-mime") ? "nodemailer" : "prebuilt";
const [n = 2_000, concurrency = 64, partitions = 6, poolSize = 5] = args
  .filter((a) => !a.startsWith("--"))
  .map(Number);

/** The stand-in, in its own process; resolves with its port. */
async function startSink(): Promise<{ child: ChildProcess; port: number; count(): Promise<number> }> {
  const child = fork(new URL("./smtp-sink.ts", import.meta.url), [], { execArgv: ["--import", "tsx"] });
  const ask = <T>(message: string | undefined, pick: (reply: Record<string, number>) => T | undefined) =>
    new Promise<T>((resolve) => {
      const onMessage = (reply: Record<string, number>) => {
        const value = pick(reply);
        if (value === undefined) return;
        child.off("message", onMessage);
        resolve(value);
      };
      child.on("message", onMessage);
      if (message) child.send(message);
    });
  const port = await ask(undefined, (reply) => reply.port);
  return { child, port, count: () => ask("count", (reply) => reply.received) };
}

/** A mix like the platform's: every event type, both locales, amounts and ids that vary. */
function commands(count: number, offset: number) {
  return Array.from({ length: count }, (_, j) => {
    const i = j + offset;
    const eventType = EVENT_TYPES[i % EVENT_TYPES.length] as string;
    const sample = SAMPLE_TEMPLATE_DATA[eventType] ?? {};
    const templateData = {
      ...sample,
      ...("amount" in sample ? { amount: `${1_000 + ((i * 7_919) % 2_000_000)}.00` } : {}),
      ...("orderId" in sample ? { orderId: `ord-${i}` } : {}),
    };
    return sampleCommand("EMAIL", {
      eventType,
      tenantId: `tenant-${i % 200}`,
      destination: `user${i}@example.com`,
      templateData,
      recipient: { userId: `user-${i}`, locale: i % 3 === 0 ? "en" : "ko", timeZone: "Asia/Seoul" },
    });
  });
}

async function measure<T>(run: () => Promise<T>): Promise<{ result: T; cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { result, cpuMs: (used.user + used.system) / 1_000, wallMs: performance.now() - started };
}

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

const perEmail = (m: { cpuMs: number; wallMs: number }, count: number) => ({
  cpuMsPerEmail: Math.round((m.cpuMs / count) * 1_000) / 1_000,
  emailsPerSecond: Math.round(count / (m.wallMs / 1_000)),
  emailsPerCpuSecond: Math.round(count / (m.cpuMs / 1_000)),
});

const env = testEnv();
const logger = createLogger({ name: "bench", level: "warn" });
const redis = createRedis(env.TEST_REDIS_URL, { logger, name: "bench" });
const sink = await startSink();
const from = "FluxPay <no-reply@fluxnotify.test>";
const transport = createSmtpTransport({
  host: "127.0.0.1",
  port: sink.port,
  secure: false,
  poolSize,
  maxMessagesPerConnection: 500,
  timeoutMs: 10_000,
  from,
});
const renderer: EmailRenderer = direct ? { render: renderEmailDirect, variants: 0 } : createEmailRenderer();
const strategy = emailStrategy(transport, { from, renderer, compose });
const warm = commands(500, 0);

// render
for (const c of warm) await renderer.render(c);
const toRender = commands(n, 1_000_000);
const render = await measure(async () => {
  for (const c of toRender) await renderer.render(c);
});

// send
await inParallel(warm, concurrency, async (c) => strategy.send(await strategy.render(c), c));
const toSend = commands(n, 2_000_000);
const send = await measure(() =>
  inParallel(toSend, concurrency, async (c) => strategy.send(await strategy.render(c), c)),
);

// pipeline, and the same runtime with nothing to do
const bench = (s: ChannelStrategy<unknown>, list: ReturnType<typeof commands>) =>
  measure(() =>
    runDeliveryBench({
      brokers: env.TEST_KAFKA_BROKERS,
      redis,
      strategy: s,
      commands: list,
      concurrency,
      partitions,
    }),
  );
const nothing: ChannelStrategy<null> = {
  channel: "EMAIL",
  provider: "none",
  render: () => null,
  send: async () => ({}),
  classify: classifyEmail,
  probe: async () => {},
};
const pipeline = await bench(strategy as ChannelStrategy<unknown>, commands(n, 3_000_000));
const baseline = await bench(nothing as ChannelStrategy<unknown>, commands(n, 4_000_000));
const received = await sink.count();

const report = {
  renderer: direct ? "direct (React + html-to-text per message)" : "compiled",
  mime: compose,
  commands: n,
  concurrency,
  smtpPool: poolSize,
  variants: renderer.variants,
  render: perEmail(render, n),
  send: perEmail(send, n),
  pipeline: {
    ...perEmail(pipeline, n),
    failed: pipeline.result.failed,
    sendLatencyMs: pipeline.result.sendLatencyMs,
  },
  runtimeWithoutEmail: perEmail(baseline, n),
  emailInPipeline: { cpuMsPerEmail: Math.round(((pipeline.cpuMs - baseline.cpuMs) / n) * 1_000) / 1_000 },
  smtpReceived: received,
};
console.log(JSON.stringify(report, null, 2));

transport.close();
sink.child.send("stop");
await redis.quit();
