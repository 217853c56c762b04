import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { waitForKafka } from "../kafka/index";
import "./provided";
import { testEnv } from "./env";

const KAFKA_SCRIPT = fileURLToPath(new URL("../../../../infra/kafka/kafka.sh", import.meta.url));

/**
 * Runs once per test project before any worker starts: makes sure the real broker is up
 * (starting it through infra/kafka/kafka.sh, which is idempotent and locked, when it is
 * not). Redis and PostgreSQL are the machine's; their URLs are provided as well.
 */
export default async function setup(project: TestProject): Promise<void> {
  const env = testEnv();
  const connection = { brokers: env.TEST_KAFKA_BROKERS, clientId: "test-setup" };
  try {
    await waitForKafka(connection, 1_000);
  } catch {
    execFileSync("bash", [KAFKA_SCRIPT, "start"], { stdio: "inherit" });
    await waitForKafka(connection, 60_000);
  }
  project.provide("kafkaBrokers", env.TEST_KAFKA_BROKERS);
  project.provide("redisUrl", env.TEST_REDIS_URL);
}
