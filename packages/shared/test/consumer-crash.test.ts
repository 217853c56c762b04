import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConsumerRunner, createProducer } from "../src/kafka/index";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";

const CHILD = fileURLToPath(new URL("./fixtures/consume-to-file.ts", import.meta.url));
const TOTAL = 400;

const readDone = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];

test("a consumer killed with SIGKILL loses nothing and re-processes only the uncommitted tail", async ({
  kafka,
  logger,
  registry,
}) => {
  const topic = await kafka.createTopic("crash", 2);
  const groupId = kafka.groupId("crash");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  await producer.send(Array.from({ length: TOTAL }, (_, i) => ({ topic, key: `k${i}`, value: String(i) })));
  await producer.close();

  const outFile = join(mkdtempSync(join(tmpdir(), "crash-")), "done.txt");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CHILD, kafka.connection.brokers.join(","), topic, groupId, outFile],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  await eventually(() => readDone(outFile).length >= 150, 30_000);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  const beforeCrash = new Set(readDone(outFile));
  const committed = await kafka.admin.committedOffsets(groupId, topic);
  const committedTotal = [...committed.values()].reduce(
    (sum, offset) => sum + (offset > 0n ? offset : 0n),
    0n,
  );
  expect(committedTotal).toBeGreaterThan(0n);
  expect(Number(committedTotal)).toBeLessThanOrEqual(beforeCrash.size);

  const afterRestart: string[] = [];
  const runner = createConsumerRunner({
    connection: kafka.connection,
    groupId,
    topics: [topic],
    logger,
    registry,
    sessionTimeoutMs: 6_000,
    handler: async (message) => {
      afterRestart.push(`${message.partition}:${message.offset}`);
    },
  });
  await runner.start();
  await eventually(() => new Set([...beforeCrash, ...afterRestart]).size === TOTAL, 45_000);
  await runner.stop();

  // Nothing lost: every offset was processed by one run or the other.
  expect(new Set([...beforeCrash, ...afterRestart]).size).toBe(TOTAL);
  // Re-processing starts exactly at the committed offset: nothing committed is redone.
  for (const entry of afterRestart) {
    const [partition, offset] = entry.split(":").map((part) => BigInt(part));
    const start = committed.get(Number(partition)) ?? 0n;
    expect(offset).toBeGreaterThanOrEqual(start < 0n ? 0n : start);
  }
  const duplicates = afterRestart.filter((entry) => beforeCrash.has(entry)).length;
  expect(duplicates).toBeLessThanOrEqual(beforeCrash.size - Number(committedTotal));
  logger.info(
    { duplicates, committedTotal: Number(committedTotal), beforeCrash: beforeCrash.size },
    "crash test",
  );
});
