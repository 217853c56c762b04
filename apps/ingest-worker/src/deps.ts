import type { Sql } from "@fluxnotify/db";
import type { DeadLetterWriter, KafkaProducer } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import type { IngestConfig } from "./config";
import type { IngestMetrics } from "./metrics";
import type { TenantWebhookLookup } from "./settings";

/** Everything the ingest handlers need, passed explicitly (no container). */
export interface IngestDeps {
  /** postgres.js (not drizzle): the ingest path's statements are prepared once (queries/ingest.ts). */
  sql: Sql;
  redis: Redis;
  producer: KafkaProducer;
  /** Every dead letter goes through it (it writes oversized ones in digest form). */
  deadLetters: DeadLetterWriter;
  logger: Logger;
  metrics: IngestMetrics;
  config: IngestConfig;
  now: () => Date;
  /** Cached tenant operations-webhook lookup. */
  tenantWebhook: TenantWebhookLookup;
  /**
   * Whether parked events may exist: set when this process parks one, and by each sweep
   * from the table. While false, a batch skips looking for parked events its mappings
   * release (a query per batch); one another process parked is released by the sweeper.
   */
  parked: { mayExist: boolean; parks: number };
}
