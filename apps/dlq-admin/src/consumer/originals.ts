import type { Database } from "@fluxnotify/db";
import { insertDlqOriginals, type NewDlqOriginal } from "@fluxnotify/db/queries/dlq";
import { DLQ_HEADERS, ORIGINAL_HEADERS, toStorableText } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Batch handler for the originals topic: keeps each original of an oversized dead letter
 * (gzipped, keyed by its SHA-256) for operators. Records that are not ours are skipped
 * with a warning: nothing else writes this topic, and there is nothing to replay them to.
 */
export function createOriginalsStore(deps: { db: Database; logger: Logger }) {
  return async function storeOriginals(messages: ConsumedMessage[]): Promise<void> {
    const rows: NewDlqOriginal[] = [];
    for (const message of messages) {
      const sha256 = message.headers[DLQ_HEADERS.valueSha256] ?? message.key;
      const bytes = Number(message.headers[DLQ_HEADERS.valueBytes]);
      if (!sha256 || !SHA256.test(sha256) || !message.value || !Number.isSafeInteger(bytes)) {
        deps.logger.warn(
          { topic: message.topic, partition: message.partition, offset: String(message.offset) },
          "record on the originals topic is not an original; skipped",
        );
        continue;
      }
      const dlqTopic = message.headers[ORIGINAL_HEADERS.dlqTopic];
      rows.push({
        sha256,
        bytes,
        gzipped: message.value,
        dlqTopic: dlqTopic ? toStorableText(dlqTopic) : null,
      });
    }
    const stored = await insertDlqOriginals(deps.db, rows);
    if (stored > 0) deps.logger.info({ stored }, "originals of oversized dead letters stored");
  };
}
