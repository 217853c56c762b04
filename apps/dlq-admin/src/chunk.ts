import type { OutgoingMessage } from "@fluxnotify/shared/kafka";

/**
 * Bytes per produce call. The broker refuses a request whose batch for one partition
 * exceeds message.max.bytes (1 MiB by default) and our producer bounds batches by count
 * only, so a bulk replay is split by size; concurrent sends may still coalesce, hence the margin.
 */
const MAX_SEND_BYTES = 256 * 1024;
const RECORD_OVERHEAD_BYTES = 64;

export function sizeOf(message: OutgoingMessage): number {
  const value =
    typeof message.value === "string" ? Buffer.byteLength(message.value) : message.value.byteLength;
  const headers = Object.entries(message.headers ?? {}).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  return Buffer.byteLength(message.key ?? "") + value + headers + RECORD_OVERHEAD_BYTES;
}

/** Splits entries into runs whose messages together stay under the produce size budget. */
export function chunkBySize<T extends { message: OutgoingMessage }>(entries: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = sizeOf(entry.message);
    if (current.length > 0 && bytes + size > MAX_SEND_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
