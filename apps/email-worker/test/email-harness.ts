import { sampleCommand, startDeliveryHarness } from "@fluxnotify/shared/delivery/testing";
import { createRedis } from "@fluxnotify/shared/redis";
import type { KafkaFixtures } from "@fluxnotify/shared/testing";
import { inject } from "vitest";
import { createEmailRenderer } from "../src/email-renderer";
import { createSmtpTransport, emailStrategy, type SmtpConfig } from "../src/strategy";

export type Fixtures = Pick<KafkaFixtures, "kafka" | "logger" | "registry">;
export const FROM = "FluxPay <no-reply@fluxnotify.test>";

/** A pooled transport to the test server on `port` (3 connections unless told otherwise). */
export const testTransport = (port: number, overrides: Partial<SmtpConfig> = {}) =>
  createSmtpTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    poolSize: 3,
    maxMessagesPerConnection: 500,
    timeoutMs: 2_000,
    from: FROM,
    ...overrides,
  });

/** The email channel runtime on the real broker and Redis, sending to the test server on `port`. */
export async function startEmailHarness(fixtures: Fixtures, port: number, smtp: Partial<SmtpConfig> = {}) {
  const redis = createRedis(inject("redisUrl"), { logger: fixtures.logger, name: "test" });
  const transport = testTransport(port, smtp);
  const harness = await startDeliveryHarness({
    ...fixtures,
    redis,
    strategy: emailStrategy(transport, { from: FROM, renderer: createEmailRenderer() }),
  });
  return {
    harness,
    async close() {
      await harness.close();
      transport.close();
      await redis.quit();
    },
  };
}

export const mailTo = (destination: string, extra: Parameters<typeof sampleCommand>[1] = {}) =>
  sampleCommand("EMAIL", { destination, ...extra });
