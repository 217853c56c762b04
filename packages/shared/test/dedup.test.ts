import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, inject, test } from "vitest";
import { createDedupStore } from "../src/delivery/dedup";
import { createLogger } from "../src/logger";
import { createRedis } from "../src/redis";

const redis = createRedis(inject("redisUrl"), {
  logger: createLogger({ name: "test", level: "silent" }),
  name: "test",
});
afterAll(async () => void (await redis.quit()));

const store = (lockTtlMs: number) =>
  createDedupStore(redis, { channel: "TEST", sentTtlSeconds: 60, lockTtlMs, prefix: `test-${randomUUID()}` });

describe("dedup store (real Redis)", () => {
  test("claim → busy elsewhere → released as sent: later claims see the record", async () => {
    const dedup = store(5_000);
    const first = await dedup.claim("n-1");
    if (first.kind !== "claimed") throw new Error(`expected a claim, got ${first.kind}`);
    expect((await dedup.claim("n-1")).kind).toBe("busy");
    const record = { at: new Date().toISOString(), attempts: 1, latencyMs: 3, reported: true };
    await first.claim.release(record);
    expect(await dedup.claim("n-1")).toEqual({ kind: "sent", record });
  });

  test("a live claim is kept past its lock period; a dead worker's lock frees within one", async () => {
    const dedup = store(300);
    const live = await dedup.claim("n-live");
    if (live.kind !== "claimed") throw new Error("expected a claim");
    await sleep(1_000); // three lock periods: only renewal keeps it
    expect((await dedup.claim("n-live")).kind).toBe("busy");
    await live.claim.release();
    const again = await dedup.claim("n-live");
    expect(again.kind).toBe("claimed");
    if (again.kind === "claimed") await again.claim.release();

    // What a SIGKILLed worker leaves behind: a lock nobody renews.
    const prefix = `test-${randomUUID()}`;
    const dead = createDedupStore(redis, { channel: "TEST", sentTtlSeconds: 60, lockTtlMs: 300, prefix });
    await redis.set(`${prefix}:test:lock:n-dead`, "gone", "PX", 300);
    expect((await dead.claim("n-dead")).kind).toBe("busy");
    await sleep(400);
    const freed = await dead.claim("n-dead");
    expect(freed.kind).toBe("claimed");
    if (freed.kind === "claimed") await freed.claim.release();
  });
});
