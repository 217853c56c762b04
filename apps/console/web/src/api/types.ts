// The shapes of the documented APIs the console reads (CONTRACT §4; each app's /openapi.json).
// Written out here, not imported: the console is one client among others, and its bundle
// holds no server code.

export const CHANNELS = ["EMAIL", "SLACK", "IN_APP", "PUSH"] as const;
export type Channel = (typeof CHANNELS)[number];
export const DELIVERY_STATUSES = ["PENDING", "SENT", "FAILED", "SKIPPED"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DLQ_STATUSES = ["PENDING", "REPLAYED", "RESOLVED", "DISCARDED"] as const;
export type DlqStatus = (typeof DLQ_STATUSES)[number];
export const DOMAINS = ["payment", "subscription", "order", "refund"] as const;

interface Counts {
  sentCount: number;
  failedCount: number;
  skippedCount: number;
  successRate: number | null;
}

/** GET /api/v1/dashboard/delivery */
export interface DailyStats {
  from: string;
  to: string;
  timeZone: string;
  days: Array<Counts & { date: string; channel: Channel }>;
}

/** GET /api/v1/dashboard/delivery/channels */
export interface ChannelStats {
  from: string;
  to: string;
  timeZone: string;
  channels: Array<Counts & { channel: Channel }>;
}

/** GET /api/v1/dashboard/pipeline */
export interface Pipeline {
  consumerGroups: Array<{
    group: string;
    lag: number | null;
    error?: string;
    topics: Array<{ topic: string; lag: number | null }>;
  }>;
  channels: Array<{
    channel: string;
    breaker: "closed" | "open" | "unknown";
    paused: boolean | null;
    instances: number;
    reportedAt: string | null;
  }>;
}

/** GET /api/v1/admin/dlq/summary */
export interface DlqSummary {
  pending: number;
  oldestPendingAt: string | null;
  byDomain: Array<{ domain: string; pending: number; oldestPendingAt: string | null }>;
}

/** One row of GET /api/v1/dashboard/deliveries (and, without tenantId/userId, of the history). */
export interface Delivery {
  tenantId?: string;
  notificationId: string;
  eventId: string;
  eventType: string;
  userId?: string;
  channel: Channel;
  status: DeliveryStatus;
  recipient: string | null;
  reasonCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  sentAt: string | null;
  statusAt: string;
  createdAt: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TimelineStep {
  status: DeliveryStatus;
  at: string;
  attempts: number | null;
  reasonCode: string | null;
  errorMessage: string | null;
  latencyMs: number | null;
}

/** GET /api/v1/dashboard/deliveries/{notificationId} */
export interface DeliveryTimeline {
  notification: Delivery;
  timeline: TimelineStep[];
}

export interface DeadLetter {
  id: string;
  tenantId: string | null;
  domain: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  channel: string | null;
  eventId: string | null;
  notificationId: string | null;
  errorCode: string | null;
  errorMessage: string;
  retryCount: number;
  failedAt: string;
  status: DlqStatus;
  replayCount: number;
  lastReplayedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  discardReason: string | null;
  replayOf: string | null;
  createdAt: string;
  key: string | null;
  value: string | null;
  valueEncoding: "utf8" | "base64" | null;
  headers: Record<string, string>;
}

export interface AuditEntry {
  action: "STORED" | "REPLAYED" | "RESOLVED" | "FAILED_AGAIN" | "DISCARDED";
  actor: string;
  detail: string | null;
  at: string;
}

/** GET /api/v1/admin/dlq/{id} */
export interface DeadLetterDetail extends DeadLetter {
  audit: AuditEntry[];
  replayedInto: string[];
}

/** GET /api/v1/admin/dlq */
export interface DeadLetterPage extends Page<DeadLetter> {
  totals: Array<{ domain: string; channel: string | null; count: number }>;
}

/** POST /api/v1/admin/dlq/retry-all */
export interface RetryAllResult {
  replayed: number;
  remaining: number;
  unreplayable: number;
}

/** POST /api/v1/admin/dlq/retry-all with "dryRun": true */
export interface RetryAllPreview {
  matched: number;
  replayable: number;
}
