import type { Sql } from "@fluxnotify/db";

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in milliseconds. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

export interface DeliveryTimes {
  /** First event produced → last status visible in notification_log. */
  lastVisibleAt: number;
  /** Event time → sent (sent_at, the channel worker's clock), all SENT notifications. */
  toSent: Percentiles;
  /** The same, without payments published before their order (those wait for it by design). */
  toSentInOrder: Percentiles;
  /** Event time → the SENT status visible in the read model (updated_at). */
  toVisible: Percentiles;
}

export async function deliveryTimes(
  sql: Sql,
  tenantIds: string[],
  producedAt: Map<string, number>,
  outOfOrder: Set<string>,
): Promise<DeliveryTimes> {
  // Epoch milliseconds computed by PostgreSQL: the client returns timestamps as text.
  const rows = await sql<{ eventId: string; sentAt: string; updatedAt: string }[]>`
    select event_id as "eventId", (extract(epoch from sent_at) * 1000)::float8 as "sentAt",
           (extract(epoch from updated_at) * 1000)::float8 as "updatedAt"
    from notification_log where tenant_id = any(${tenantIds}) and status = 'SENT'`;
  const [last] = await sql<{ at: string | null }[]>`
    select (extract(epoch from max(updated_at)) * 1000)::float8 as at
    from notification_log where tenant_id = any(${tenantIds})`;
  const toSent: number[] = [];
  const toSentInOrder: number[] = [];
  const toVisible: number[] = [];
  for (const row of rows) {
    const produced = producedAt.get(row.eventId);
    if (produced === undefined) continue;
    const sent = Math.round(Number(row.sentAt) - produced);
    toSent.push(sent);
    if (!outOfOrder.has(row.eventId)) toSentInOrder.push(sent);
    toVisible.push(Math.round(Number(row.updatedAt) - produced));
  }
  return {
    lastVisibleAt: last?.at ? Number(last.at) : Date.now(),
    toSent: percentiles(toSent),
    toSentInOrder: percentiles(toSentInOrder),
    toVisible: percentiles(toVisible),
  };
}
