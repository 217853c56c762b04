import { z } from "zod";

/**
 * Channel-worker heartbeats in Redis: how query-api's pipeline dashboard learns each
 * worker's circuit breaker without calling the workers. Each worker process writes its
 * state to one field of its channel's hash every WORKER_HEARTBEAT_INTERVAL_MS (and at once
 * when its breaker opens or closes); readers ignore entries older than
 * WORKER_HEARTBEAT_FRESH_MS, so a killed worker drops out within three beats.
 */

export const WORKER_HEARTBEAT_INTERVAL_MS = 5_000;
export const WORKER_HEARTBEAT_FRESH_MS = 15_000;
/** The hash expires when no worker of the channel has beaten for this long. */
export const WORKER_HEARTBEAT_TTL_SECONDS = 60;

/**
 * `{prefix}workers:{channel}`: one field per worker instance. The prefix is the deployment's
 * INAPP_CHANNEL_PREFIX, which keeps deployments sharing a Redis apart (contracts/inapp.ts).
 */
export const workerHeartbeatKey = (prefix: string, channel: string) => `${prefix}workers:${channel}`;

export const workerHeartbeatSchema = z.object({
  breaker: z.enum(["closed", "open"]),
  /** Consumption paused (the breaker open, or a shutdown under way). */
  paused: z.boolean(),
  /** When it was written, by the worker's clock. */
  at: z.iso.datetime({ offset: true }),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
