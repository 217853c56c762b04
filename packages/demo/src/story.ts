import { randomUUID } from "node:crypto";
import { type Channel, DEFAULT_ROUTES, fluxpayTopic } from "@fluxnotify/shared/contracts";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";

export interface StoryEvent {
  eventId: string;
  /** Short type, as history filters and settings name it: "payment.failed". */
  type: string;
  /** What happened, for the progress lines. */
  summary: string;
  message: OutgoingMessage;
}

/** One notification the story must produce: an event on one of its default channels. */
export interface Expected {
  eventId: string;
  type: string;
  channel: Channel;
}

/**
 * A small FluxPay story for one user, fresh ids every run: an order, its first payment
 * failing (card limit) and a second one approved. Between them the three events reach
 * every channel by default (CONTRACT §2): order.created IN_APP; payment.failed EMAIL,
 * IN_APP, SLACK, PUSH; payment.approved EMAIL, IN_APP, PUSH.
 */
export function fluxpayStory(tenantId: string, userId: string) {
  const orderId = `order-${randomUUID().slice(0, 8)}`;
  const failedPaymentId = `pay-${randomUUID().slice(0, 8)}`;
  const approvedPaymentId = `pay-${randomUUID().slice(0, 8)}`;
  const event = (
    domain: "order" | "payment",
    aggregateId: string,
    type: string,
    summary: string,
    data: Record<string, unknown>,
  ): StoryEvent => {
    const { id, json } = fluxpayEvent(tenantId, `com.fluxpay.${type}`, data);
    // The key FluxPay's publisher writes: one aggregate's events stay in one partition.
    const message = { topic: fluxpayTopic(domain), key: `${tenantId}:${aggregateId}`, value: json };
    return { eventId: id, type, summary, message };
  };
  // "num:" → a bare JSON number with its scale, as FluxPay's BigDecimal travels.
  const amount = { amount: "num:39000.00", currency: "KRW" };
  const events = [
    event("order", orderId, "order.created", `order ${orderId} created`, {
      orderId,
      userId,
      totalAmount: "num:39000.00",
      currency: "KRW",
    }),
    event("payment", failedPaymentId, "payment.failed", `payment ${failedPaymentId} failed`, {
      paymentId: failedPaymentId,
      orderId,
      ...amount,
      errorMessage: "카드 한도 초과 (card limit exceeded)",
    }),
    event("payment", approvedPaymentId, "payment.approved", `payment ${approvedPaymentId} approved`, {
      paymentId: approvedPaymentId,
      orderId,
      ...amount,
      pgPaymentKey: `tgen_${randomUUID().replaceAll("-", "").slice(0, 20)}`,
    }),
  ];
  // The demo saves settings that switch nothing off, so each event goes to its defaults.
  const expected: Expected[] = events.flatMap(({ eventId, type }) =>
    (DEFAULT_ROUTES[type] ?? []).map((channel) => ({ eventId, type, channel })),
  );
  return { orderId, events, expected };
}
