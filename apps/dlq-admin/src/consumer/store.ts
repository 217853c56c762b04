import type { Database } from "@fluxnotify/db";
import { insertDlqMessages, type NewDlqMessage, UNKNOWN_TOPIC } from "@fluxnotify/db/queries/dlq";
import type { ConsumedMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { DlqMetrics } from "../metrics";
import { toDlqRow } from "./parse";

export interface StoreDeps {
  db: Database;
  logger: Logger;
  metrics: DlqMetrics;
  domainOf: (topic: string) => string;
  /** Called after new rows were stored (the pending gauge refreshes). */
  onStored?: () => void;
}

/** SQLSTATE class 22 (data exception): this row's content, not the database, is the problem. */
const isDataError = (error: unknown) => /^22/.test(String((error as { code?: unknown }).code ?? ""));

/** The bare minimum of a dead letter, with nothing taken from its headers or key. */
function minimalRow(row: NewDlqMessage, error: unknown): NewDlqMessage {
  return {
    domain: row.domain,
    dlqTopic: row.dlqTopic,
    dlqPartition: row.dlqPartition,
    dlqOffset: row.dlqOffset,
    originalTopic: UNKNOWN_TOPIC,
    errorMessage: `dead letter stored without its headers and key: ${(error as Error).message}`,
    failedAt: new Date(),
    value: row.value ?? null,
  };
}

/**
 * Batch handler for the DLQ topics: one multi-row insert per fetched batch. A row the
 * database refuses (should parsing ever let one through) is stored in minimal form rather
 * than blocking the partition forever; any other error (database down) is thrown, and the
 * runner retries the batch, which the unique source key makes safe.
 */
export function createDlqStore(deps: StoreDeps) {
  async function insertOneByOne(rows: NewDlqMessage[]) {
    const inserted = [];
    for (const row of rows) {
      try {
        inserted.push(...(await deps.db.transaction((tx) => insertDlqMessages(tx, [row]))));
      } catch (error) {
        if (!isDataError(error)) throw error;
        deps.logger.error(
          { err: error, topic: row.dlqTopic, partition: row.dlqPartition, offset: String(row.dlqOffset) },
          "dead letter refused by the database; storing a minimal row",
        );
        inserted.push(
          ...(await deps.db.transaction((tx) => insertDlqMessages(tx, [minimalRow(row, error)]))),
        );
      }
    }
    return inserted;
  }

  return async function storeBatch(messages: ConsumedMessage[]): Promise<void> {
    const rows = messages.map((message) => toDlqRow(message, deps.domainOf(message.topic)));
    let inserted: Awaited<ReturnType<typeof insertDlqMessages>>;
    try {
      inserted = await deps.db.transaction((tx) => insertDlqMessages(tx, rows));
    } catch (error) {
      if (!isDataError(error)) throw error;
      inserted = await insertOneByOne(rows);
    }
    for (const row of inserted)
      deps.metrics.stored.inc({ domain: row.domain, channel: row.channel ?? "none" });
    if (inserted.length > 0) {
      deps.logger.info({ stored: inserted.length, received: messages.length }, "dead letters stored");
      deps.onStored?.();
    }
  };
}
