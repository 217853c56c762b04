import { CHANNELS, type ConsumerGroupSpec } from "@fluxnotify/shared/contracts";
import { errorMessage } from "@fluxnotify/shared/errors";
import type { KafkaAdmin } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { type GroupLag, measureLag } from "./lag";
import { type ChannelWorkers, readChannelWorkers } from "./workers";

export type { GroupLag } from "./lag";
export type { ChannelWorkers } from "./workers";

export interface PipelineStatus {
  consumerGroups: GroupLag[];
  channels: ChannelWorkers[];
}

export interface Pipeline {
  status(): Promise<PipelineStatus>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  /** An admin with short timeouts of its own (createAdmin's AdminTimeouts). */
  admin: KafkaAdmin;
  groups: ConsumerGroupSpec[];
  redis: Redis;
  /** The deployment's Redis prefix (INAPP_CHANNEL_PREFIX), as the workers write with it. */
  keyPrefix: string;
  logger: Logger;
  /** How long a lag measurement is served again (dashboards poll). */
  cacheMs?: number;
  /** A broker that has not answered by then is reported as not answering. */
  timeoutMs?: number;
}

/**
 * The platform's pipeline, for GET /api/v1/dashboard/pipeline: consumer lag measured with
 * the Kafka admin client and cached for `cacheMs` (one measurement however many dashboards
 * poll; concurrent requests share the one in flight), and the channel workers' breakers
 * from their Redis heartbeats, read on every request (four HGETALLs). A broker that fails or
 * does not answer within `timeoutMs` gives every group lag null and the `error`, cached
 * like a measurement, so a dead broker costs one attempt per period, never a 500.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 4_000;
  let cached: { at: number; value: GroupLag[] } | undefined;
  let inFlight: Promise<GroupLag[]> | undefined;

  const unmeasured = (error: string): GroupLag[] =>
    options.groups.map((spec) => ({
      group: spec.group,
      lag: null,
      topics: spec.topics.map((topic) => ({ topic, lag: null })),
      error,
    }));

  async function measure(): Promise<GroupLag[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([measureLag(options.admin, options.groups), deadline]);
    } catch (error) {
      options.logger.warn({ err: error }, "consumer lag not measured");
      return unmeasured(`Kafka did not answer: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function lag(): Promise<GroupLag[]> {
    if (cached && Date.now() - cached.at < cacheMs) return cached.value;
    inFlight ??= measure().then((value) => {
      cached = { at: Date.now(), value };
      inFlight = undefined;
      return value;
    });
    return inFlight;
  }

  return {
    async status() {
      const [consumerGroups, channels] = await Promise.all([
        lag(),
        readChannelWorkers({
          redis: options.redis,
          keyPrefix: options.keyPrefix,
          channels: CHANNELS,
          logger: options.logger,
        }),
      ]);
      return { consumerGroups, channels };
    },
    close: () => options.admin.close(),
  };
}
