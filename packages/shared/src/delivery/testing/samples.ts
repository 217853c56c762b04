import { randomUUID } from "node:crypto";
import { domainOfEventType } from "../../contracts/fluxpay-events";
import { inAppDestination } from "../../contracts/inapp";
import type { ChannelCommand } from "../../contracts/messages";
import type { Channel } from "../../contracts/topics";

const at = "2026-02-04T10:30:00.000Z";

/** Normalised template data per event type (as the ingest worker emits it): previews, tests, benches. */
export const SAMPLE_TEMPLATE_DATA: Record<string, Record<string, unknown>> = {
  "com.fluxpay.payment.approved": {
    eventId: "evt-1",
    paymentId: "pay-1001",
    orderId: "ord-2001",
    amount: "15000.00",
    currency: "KRW",
    pgPaymentKey: "tgen_20260204",
    occurredAt: at,
  },
  "com.fluxpay.payment.failed": {
    eventId: "evt-2",
    paymentId: "pay-1002",
    orderId: "ord-2002",
    amount: "39900.00",
    currency: "KRW",
    errorMessage: "카드 한도 초과",
    occurredAt: at,
  },
  "com.fluxpay.order.created": {
    eventId: "evt-3",
    orderId: "ord-2003",
    userId: "user-1",
    totalAmount: "125000.00",
    currency: "KRW",
    occurredAt: at,
  },
  "com.fluxpay.order.status-changed": {
    eventId: "evt-4",
    orderId: "ord-2003",
    userId: "user-1",
    fromStatus: "PAID",
    toStatus: "COMPLETED",
    occurredAt: at,
  },
  "com.fluxpay.refund.requested": {
    eventId: "evt-5",
    refundId: "ref-3001",
    paymentId: "pay-1001",
    amount: "5000.00",
    currency: "KRW",
    reason: "단순 변심",
    occurredAt: at,
  },
  "com.fluxpay.refund.completed": {
    eventId: "evt-6",
    refundId: "ref-3001",
    paymentId: "pay-1001",
    amount: "5000.00",
    currency: "KRW",
    pgRefundId: "rf_20260204",
    occurredAt: at,
  },
  "com.fluxpay.refund.failed": {
    eventId: "evt-7",
    refundId: "ref-3002",
    paymentId: "pay-1002",
    errorMessage: "PG 응답 없음",
    occurredAt: at,
  },
  "com.fluxpay.subscription.created": {
    eventId: "evt-8",
    subscriptionId: "sub-4001",
    userId: "user-1",
    planName: "Pro",
    amount: "9900.00",
    currency: "KRW",
    currentPeriodEnd: "2026-03-04T00:00:00.000Z",
    occurredAt: at,
  },
  "com.fluxpay.subscription.renewed": {
    eventId: "evt-9",
    subscriptionId: "sub-4001",
    userId: "user-1",
    planName: "Pro",
    amount: "12.50",
    currency: "USD",
    currentPeriodEnd: "2026-04-04T00:00:00.000Z",
    occurredAt: at,
  },
  "com.fluxpay.subscription.cancelled": {
    eventId: "evt-10",
    subscriptionId: "sub-4001",
    userId: "user-1",
    planName: "Pro",
    occurredAt: at,
  },
  "com.fluxpay.subscription.expiring": {
    eventId: "evt-11",
    subscriptionId: "sub-4001",
    userId: "user-1",
    planName: "Pro",
    expiresAt: "2026-02-11T00:00:00.000Z",
    occurredAt: at,
  },
};

/** A valid channel command with sample data; unique ids unless overridden. */
export function sampleCommand(
  channel: Channel,
  overrides: Partial<ChannelCommand> & { eventType?: string } = {},
): ChannelCommand {
  const eventType = overrides.eventType ?? "com.fluxpay.payment.approved";
  const tenantId = overrides.tenantId ?? "tenant-a";
  const recipient = {
    userId: "user-1",
    locale: "ko" as const,
    timeZone: "Asia/Seoul",
    ...overrides.recipient,
  };
  return {
    v: 1,
    notificationId: randomUUID(),
    channel,
    tenantId,
    domain: domainOfEventType(eventType) ?? "payment",
    eventId: randomUUID(),
    eventType,
    occurredAt: at,
    createdAt: new Date().toISOString(),
    destination: inAppDestination(tenantId, recipient.userId),
    templateData: SAMPLE_TEMPLATE_DATA[eventType] ?? {},
    traceId: randomUUID().replaceAll("-", ""),
    ...overrides,
    recipient,
  };
}
