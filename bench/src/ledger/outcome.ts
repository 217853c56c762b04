import type { Sql } from "@fluxnotify/db";
import type { ExpectedNotification } from "./expected";

/** A notification as the read model shows it. */
export interface LogRow {
  notificationId: string;
  eventId: string;
  channel: string;
  status: string;
  reasonCode: string | null;
  errorMessage: string | null;
}

export interface DeadLetterRow {
  eventId: string | null;
  notificationId: string | null;
  channel: string | null;
  errorCode: string | null;
  errorMessage: string;
}

export interface Observed {
  log: Map<string, LogRow>;
  /** Dead letters by notification id (channel failures) … */
  deadByNotification: Map<string, DeadLetterRow>;
  /** … and by event id for failures before any notification existed (ingest). */
  deadByEvent: Map<string, DeadLetterRow>;
}

/** Reads what the platform recorded for the run's tenants and events. */
export async function observe(sql: Sql, tenantIds: string[], eventIds: string[]): Promise<Observed> {
  const logRows = await sql<LogRow[]>`
    select notification_id as "notificationId", event_id as "eventId", channel, status,
           reason_code as "reasonCode", error_message as "errorMessage"
    from notification_log where tenant_id = any(${tenantIds})`;
  const deadRows: DeadLetterRow[] = [];
  for (let i = 0; i < eventIds.length; i += 20_000) {
    deadRows.push(
      ...(await sql<DeadLetterRow[]>`
        select event_id as "eventId", notification_id as "notificationId", channel,
               error_code as "errorCode", error_message as "errorMessage"
        from dlq_messages where event_id = any(${eventIds.slice(i, i + 20_000)})`),
    );
  }
  const observed: Observed = {
    log: new Map(logRows.map((row) => [row.notificationId, row])),
    deadByNotification: new Map(),
    deadByEvent: new Map(),
  };
  for (const row of deadRows) {
    if (row.notificationId) observed.deadByNotification.set(row.notificationId, row);
    else if (row.eventId) observed.deadByEvent.set(row.eventId, row);
  }
  return observed;
}

/**
 * Terminal notifications of the run so far: the progress signal while waiting for
 * quiescence, polled every second or two. Read from the read model's `delivery_stats`
 * (a handful of rows per tenant, kept by the projection in the same transaction as each
 * notification's row) rather than by counting `notification_log`, whose scan grew with the
 * run and was itself a measurable share of PostgreSQL's CPU in the 100k run. Whether each
 * notification really ended as it should is checked row by row at the end (`observe`).
 */
export async function countTerminal(
  sql: Sql,
  tenantIds: string[],
): Promise<{ terminal: number; sent: number }> {
  const [row] = await sql<{ terminal: string | null; sent: string | null }[]>`
    select sum(sent_count + failed_count + skipped_count) as terminal, sum(sent_count) as sent
    from delivery_stats where tenant_id = any(${tenantIds})`;
  return { terminal: Number(row?.terminal ?? 0), sent: Number(row?.sent ?? 0) };
}

export type Verdict = "sent" | "skipped" | "deadLettered" | "lost";

/**
 * Where one expected notification ended: SENT, SKIPPED, dead-lettered with a reason
 * (FAILED in the read model, or a dead letter naming it or its event), or lost.
 */
export function verdictOf(expected: ExpectedNotification, observed: Observed): Verdict {
  const row = observed.log.get(expected.notificationId);
  if (row?.status === "SENT") return "sent";
  if (row?.status === "SKIPPED") return "skipped";
  const dead =
    observed.deadByNotification.get(expected.notificationId) ?? observed.deadByEvent.get(expected.eventId);
  if (row?.status === "FAILED" && (row.errorMessage || dead)) return "deadLettered";
  if (dead?.errorMessage) return "deadLettered";
  return "lost";
}
