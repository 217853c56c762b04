import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  WORKER_HEARTBEAT_INTERVAL_MS,
  WORKER_HEARTBEAT_TTL_SECONDS,
  type WorkerHeartbeat,
  workerHeartbeatKey,
} from "../contracts/workers";
import type { Logger } from "../logger";
import type { Redis } from "../redis";
import type { BreakerState } from "./breaker";

export interface HeartbeatOptions {
  /** The deployment's Redis key prefix (INAPP_CHANNEL_PREFIX). */
  keyPrefix: string;
  intervalMs?: number;
  /** This process's field in the hash; unique per runtime by default. */
  instanceId?: string;
}

export interface Heartbeat {
  readonly instanceId: string;
  start(): void;
  /** Writes the current state now (the breaker just changed). */
  beat(): void;
  /** Stops beating and removes this instance's field, so it is gone at once, not after 15 s. */
  stop(): Promise<void>;
}

/** host, pid and a random part: readable for operators, unique even for two runtimes in one process. */
const defaultInstanceId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * A channel worker's heartbeat (contracts/workers.ts): one HSET (with the key's expiry, in
 * the same round trip) per interval. Best effort: a Redis hiccup costs a beat and a debug
 * line, never a send.
 */
export function createHeartbeat(options: {
  redis: Redis;
  channel: string;
  logger: Logger;
  state: () => { breaker: BreakerState; paused: boolean };
  heartbeat: HeartbeatOptions;
}): Heartbeat {
  const key = workerHeartbeatKey(options.heartbeat.keyPrefix, options.channel);
  const instanceId = options.heartbeat.instanceId ?? defaultInstanceId();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const beat = () => {
    if (stopped) return;
    const value: WorkerHeartbeat = { ...options.state(), at: new Date().toISOString() };
    options.redis
      .pipeline()
      .hset(key, instanceId, JSON.stringify(value))
      .expire(key, WORKER_HEARTBEAT_TTL_SECONDS)
      .exec()
      .catch((error: unknown) => options.logger.debug({ err: error }, "heartbeat not written"));
  };

  return {
    instanceId,
    start() {
      if (timer || stopped) return;
      beat();
      timer = setInterval(beat, options.heartbeat.intervalMs ?? WORKER_HEARTBEAT_INTERVAL_MS);
      timer.unref();
    },
    beat,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await options.redis
        .hdel(key, instanceId)
        .catch((error: unknown) => options.logger.debug({ err: error }, "heartbeat not removed"));
    },
  };
}
