import { describe, expect, it } from "vitest";
import { z } from "zod";
import { kafkaEnv, loadEnv, port } from "../src/env";
import { ConfigError } from "../src/errors";
import { createLogger } from "../src/logger";
import { ShutdownManager } from "../src/shutdown";

describe("loadEnv", () => {
  it("applies defaults that fit a local run", () => {
    expect(loadEnv({ ...kafkaEnv, PORT: port(8080) }, {})).toEqual({
      KAFKA_BROKERS: ["127.0.0.1:9092"],
      KAFKA_FETCH_MIN_BYTES: 1,
      KAFKA_FETCH_MAX_WAIT_MS: 500,
      KAFKA_PRODUCER_LINGER_MS: 5,
      PORT: 8080,
    });
  });

  it("names every bad variable in one error", () => {
    const shape = { ...kafkaEnv, PORT: port(8080), SECRET: z.string().min(8) };
    const attempt = () => loadEnv(shape, { KAFKA_BROKERS: "nohost", PORT: "http" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/KAFKA_BROKERS[\s\S]*PORT[\s\S]*SECRET: .*\(not set\)/);
  });
});

describe("logger", () => {
  it("masks email addresses and redacts secrets", () => {
    const lines: string[] = [];
    const destination = {
      write(line: string) {
        lines.push(line);
      },
    };
    const logger = createLogger({ name: "t", destination });
    logger.info(
      { to: "kim.minsu@example.com", password: "hunter2", nested: { token: "abc" } },
      "sent to lee@fluxpay.co.kr",
    );
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      to: "k***@example.com",
      password: "[Redacted]",
      nested: { token: "[Redacted]" },
      msg: "sent to l***@fluxpay.co.kr",
      service: "t",
      level: "info",
    });
    expect(lines.join("")).not.toContain("kim.minsu@");
  });
});

describe("ShutdownManager", () => {
  it("runs steps once, in reverse registration order, and survives a failing step", async () => {
    const order: string[] = [];
    const manager = new ShutdownManager({
      logger: createLogger({ name: "t", level: "silent" }),
      timeoutMs: 1_000,
    });
    manager.register("clients", () => {
      order.push("clients");
    });
    manager.register("broken", () => {
      throw new Error("boom");
    });
    manager.register("consumers", async () => {
      order.push("consumers");
    });
    await expect(manager.shutdown()).rejects.toThrow(/shutdown steps failed/);
    await expect(manager.shutdown()).rejects.toThrow(); // same promise: nothing runs twice
    expect(order).toEqual(["consumers", "clients"]);
    expect(manager.isShuttingDown).toBe(true);
  });

  it("gives up at the deadline", async () => {
    const manager = new ShutdownManager({
      logger: createLogger({ name: "t", level: "silent" }),
      timeoutMs: 50,
    });
    manager.register("stuck", () => new Promise(() => {}));
    await expect(manager.shutdown()).rejects.toThrow(/exceeded 50 ms/);
  });
});
