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

/** Terminal rows of the run so far: the cheap progress signal while waiting for quiescence. */
export async function countTerminal(
  sql: Sql,
  tenantIds: string[],
): Promise<{ terminal: number; sent: number }> {
  const [row] = await sql<{ terminal: string; sent: string }[]>`
    select count(*) filter (where status <> 'PENDING') as terminal,
           count(*) filter (where status = 'SENT') as sent
    from notification_log where tenant_id = any(${tenantIds})`;
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
