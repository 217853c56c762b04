import { registerPushTarget } from "@fluxnotify/db/queries/push";
import { type ThrowawaySchema, throwawaySchema } from "@fluxnotify/db/testing";
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import {
  type DeliveryHarness,
  sampleCommand,
  startDeliveryHarness,
} from "@fluxnotify/shared/delivery/testing";
import type { Logger } from "@fluxnotify/shared/logger";
import { createRedis } from "@fluxnotify/shared/redis";
import type { KafkaFixtures } from "@fluxnotify/shared/testing";
import type { BrowserSubscription } from "@fluxnotify/shared/testing/push";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { inject } from "vitest";
import { pushMetrics } from "../src/metrics";
import { type FcmConfig, pushStrategy } from "../src/strategy";

type Fixtures = Pick<KafkaFixtures, "kafka" | "logger" | "registry">;

/** push_subscriptions_removed_total for one type and code (0 when none was counted). */
export async function removedCount(
  registry: Fixtures["registry"],
  type: string,
  code: string,
): Promise<number> {
  const { values } = await pushMetrics(registry).removed.get();
  return values.find((v) => v.labels.type === type && v.labels.code === code)?.value ?? 0;
}

/** The application server's pair in tests: stand-ins given its public key check `k` against it. */
export const TEST_VAPID = { ...generateVapidKeys(), subject: "mailto:ops@fluxnotify.example" };

export interface PushContext {
  harness: DeliveryHarness;
  schema: ThrowawaySchema;
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** Registers a browser subscription for the user as query-api does; returns its id. */
  addWebPush(subscription: BrowserSubscription, owner?: Owner): Promise<string>;
  addFcm(token: string, owner?: Owner): Promise<string>;
  /** How many of the table's rows have this id (0 once removed). */
  rows(id: string): Promise<number>;
  close(): Promise<void>;
}

interface Owner {
  tenantId?: string;
  userId?: string;
}

/**
 * A push runtime on fresh topics, against its own copy of push_subscriptions (a throwaway
 * schema: tests never see each other's rows), with a fresh VAPID pair.
 */
export async function startPushContext(
  fixtures: Fixtures & { logger: Logger },
  options: {
    allowedHosts: string[];
    fcm?: FcmConfig;
    openUrl?: string;
    retry?: { delaysMs: number[] };
    timeoutMs?: number;
    concurrency?: number;
  },
): Promise<PushContext> {
  const schema = await throwawaySchema(inject("databaseUrl"), async (sql, name) => {
    await sql`create table ${sql(name)}.push_subscriptions (like public.push_subscriptions including all)`;
  });
  const redis = createRedis(inject("redisUrl"), { logger: fixtures.logger, name: "test" });
  const vapid = TEST_VAPID;
  const strategy = pushStrategy({
    sql: schema.client.sql,
    policy: { allowedHosts: options.allowedHosts, allowInsecureLoopback: true },
    vapid,
    ttlSeconds: 86_400,
    timeoutMs: options.timeoutMs ?? 2_000,
    openUrl: options.openUrl,
    fcm: options.fcm,
    logger: fixtures.logger,
    metrics: pushMetrics(fixtures.registry),
  });
  const harness = await startDeliveryHarness({
    ...fixtures,
    redis,
    strategy,
    runtime: {
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    },
  });
  const register = async (
    type: "webpush" | "fcm",
    address: string,
    keys: BrowserSubscription["keys"] | null,
    owner: Owner,
  ) => {
    const result = await registerPushTarget(
      // postgres.js's Sql<{}> is the executor query-api passes too; only its generic differs.
      schema.client.sql as unknown as Parameters<typeof registerPushTarget>[0],
      {
        tenantId: owner.tenantId ?? "tenant-a",
        userId: owner.userId ?? "user-1",
        type,
        address,
        keys,
        label: null,
      },
      100,
    );
    if (result.kind === "cap_reached") throw new Error("cap reached");
    return result.target.id;
  };
  return {
    harness,
    schema,
    vapid,
    addWebPush: (subscription, owner = {}) =>
      register("webpush", subscription.endpoint, subscription.keys, owner),
    addFcm: (token, owner = {}) => register("fcm", token, null, owner),
    async rows(id) {
      const [row] = await schema.client.sql<{ n: number }[]>`
        select count(*)::int as n from push_subscriptions where id = ${id}::uuid`;
      return row?.n ?? 0;
    },
    async close() {
      await harness.close();
      strategy.close();
      await redis.quit();
      await schema.drop();
    },
  };
}

/** A PUSH command to one device (its subscription id), for user-1 of tenant-a unless overridden. */
export const pushCommand = (
  destination: string,
  overrides: Partial<ChannelCommand> & { eventType?: string } = {},
): ChannelCommand => sampleCommand("PUSH", { destination, ...overrides });
