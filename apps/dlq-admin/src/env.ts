import {
  DLQ_ADMIN_CONSUMER_GROUPS,
  DOMAINS,
  dlqTopic,
  ORIGINALS_TOPIC,
  REPLAY_OUTCOMES_TOPIC,
} from "@fluxnotify/shared/contracts";
import {
  authEnv,
  baseEnv,
  csvList,
  databaseEnv,
  kafkaEnv,
  loadEnv,
  port,
  resolveAuthEnv,
} from "@fluxnotify/shared/env";
import { z } from "zod";

export { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";

const shape = {
  ...baseEnv,
  ...kafkaEnv,
  ...databaseEnv,
  PORT: port(8081),
  ...authEnv,
  DLQ_TOPICS: csvList(DOMAINS.map(dlqTopic).join(",")).pipe(z.array(z.string().min(1)).min(1)),
  CONSUMER_GROUP: z.string().min(1).default(DLQ_ADMIN_CONSUMER_GROUPS.deadLetters),
  /** Replay outcomes (RESOLVED): the workers' copies of delivery events that belong to replays. */
  REPLAY_OUTCOMES_TOPIC: z.string().min(1).default(REPLAY_OUTCOMES_TOPIC),
  OUTCOMES_CONSUMER_GROUP: z.string().min(1).default(DLQ_ADMIN_CONSUMER_GROUPS.outcomes),
  /** Originals of dead letters too large to write as they were, kept for operators. */
  ORIGINALS_TOPIC: z.string().min(1).default(ORIGINALS_TOPIC),
  ORIGINALS_CONSUMER_GROUP: z.string().min(1).default(DLQ_ADMIN_CONSUMER_GROUPS.originals),
  /** Upper bound of dead letters one retry-all call replays (it works in batches of 200). */
  RETRY_ALL_MAX: z.coerce.number().int().min(1).max(100_000).default(10_000),
  PENDING_GAUGE_REFRESH_MS: z.coerce.number().int().min(1_000).default(30_000),
};

export type DlqAdminEnv = ReturnType<typeof loadDlqAdminEnv>;

export function loadDlqAdminEnv(source: NodeJS.ProcessEnv = process.env) {
  return resolveAuthEnv(loadEnv(shape, source));
}
