import { randomUUID } from "node:crypto";
import { event, type FluxPayEvent } from "./fluxpay";

/** A fixed instant, so the rendered time in each user's zone is known: 19:30 in Seoul, 05:30 in New York. */
export const OCCURRED_AT = "2026-02-04T10:30:00Z";
export const HOSTILE_ERROR = `<script>alert("x")</script> card declined & "blocked"`;

export const ALL_TYPES = [
  "order.created",
  "order.status-changed",
  "payment.approved",
  "payment.failed",
  "refund.requested",
  "refund.completed",
  "refund.failed",
  "subscription.created",
  "subscription.renewed",
  "subscription.cancelled",
  "subscription.expiring",
] as const;
export type ShortType = (typeof ALL_TYPES)[number];

const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * One user's events of the given types, linked as FluxPay links them: the order names the
 * user; payments name the order; refunds name a payment; subscriptions name the user.
 */
export function userEvents(tenantId: string, userId: string, types: readonly ShortType[]) {
  const orderId = id("ord");
  const paymentId = id("pay");
  const failedPaymentId = id("pay");
  const subscriptionId = id("sub");
  const base = { occurredAt: OCCURRED_AT };
  const data: Record<ShortType, Record<string, unknown>> = {
    "order.created": { orderId, userId, totalAmount: "num:15000.00", currency: "KRW" },
    "order.status-changed": { orderId, userId, fromStatus: "PENDING", toStatus: "PAID" },
    "payment.approved": {
      paymentId,
      orderId,
      amount: "num:15000.00",
      currency: "KRW",
      pgPaymentKey: "tgen_20260204",
    },
    "payment.failed": {
      paymentId: failedPaymentId,
      orderId,
      amount: "num:15000.00",
      currency: "KRW",
      errorMessage: HOSTILE_ERROR,
    },
    "refund.requested": {
      refundId: id("ref"),
      paymentId,
      amount: "num:5000.00",
      currency: "KRW",
      reason: "size",
    },
    "refund.completed": {
      refundId: id("ref"),
      paymentId,
      amount: "num:1234567.89",
      currency: "USD",
      pgRefundId: "pgr_1",
    },
    "refund.failed": { refundId: id("ref"), paymentId, errorMessage: "PG timeout" },
    "subscription.created": {
      subscriptionId,
      userId,
      planName: "Pro",
      amount: "num:9900.00",
      currency: "KRW",
      currentPeriodEnd: "2026-03-04T10:30:00Z",
    },
    "subscription.renewed": {
      subscriptionId,
      userId,
      planName: "Pro",
      amount: "num:9900.00",
      currency: "KRW",
      currentPeriodEnd: "2026-04-04T10:30:00Z",
    },
    "subscription.cancelled": { subscriptionId, userId, planName: "Pro" },
    "subscription.expiring": { subscriptionId, userId, planName: "Pro", expiresAt: "2026-04-04T10:30:00Z" },
  };
  const events = new Map<ShortType, FluxPayEvent>(
    types.map((type) => [type, event(tenantId, type, { ...base, ...data[type] })]),
  );
  return { orderId, paymentId, events };
}
