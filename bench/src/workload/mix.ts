import { randomUUID } from "node:crypto";
import type { Domain } from "@fluxnotify/shared/contracts";
import type { Population, User } from "./population";
import { type Random, seededRandom } from "./random";

export type Encoding = "structured" | "structured-string" | "binary";

/** One FluxPay event of the workload, before encoding (its time is set when it is produced). */
export interface PlannedEvent {
  id: string;
  tenantId: string;
  /** Full CloudEvents type; may be one FluxPay might add later (unknown to us: skipped). */
  type: string;
  domain: Domain;
  /** Kafka key is `{tenantId}:{aggregateId}`, as FluxPay's publisher writes it. */
  aggregateId: string;
  /** Data fields without eventId/occurredAt; "num:…" strings become exact JSON numbers. */
  data: Record<string, unknown>;
  /** Whom it is for (payments and refunds only name an order or payment): null = nobody. */
  userId: string | null;
  encoding: Encoding;
  /** Published before the order it depends on: the ingest worker must wait for the order. */
  outOfOrder: boolean;
}

export interface MixOptions {
  seed?: number;
  /** Share of orders whose payment is published before the order (default 0.05). */
  outOfOrderShare?: number;
  /** How many events later a deferred order (or a refund) is published (default 40). */
  deferBy?: number;
}

const UNKNOWN_TYPE = "com.fluxpay.payment.chargeback-opened";
const PLANS = ["Basic", "Pro", "Team <Enterprise>"];

function money(rng: Random, user: User): { amount: string; currency: string } {
  if (user.row?.locale === "en")
    return { amount: `num:${rng.int(5, 500)}.${rng.int(10, 99)}`, currency: "USD" };
  return { amount: `num:${rng.int(1, 300) * 1000}.00`, currency: "KRW" };
}

function encodingOf(rng: Random): Encoding {
  const roll = rng.next();
  return roll < 0.8 ? "structured" : roll < 0.9 ? "structured-string" : "binary";
}

/**
 * A realistic FluxPay stream: per order, order.created, a payment (10% failed), a status
 * change; some refunds (requested, then completed or failed); subscription lifecycle events;
 * a few event types we do not know. Some payments come before their order; refunds come a
 * little after their payment. Deterministic for a seed, except event ids.
 */
export function planEvents(population: Population, count: number, options: MixOptions = {}): PlannedEvent[] {
  const rng = seededRandom(options.seed ?? 7);
  const outOfOrderShare = options.outOfOrderShare ?? 0.05;
  const deferBy = options.deferBy ?? 40;
  const events: PlannedEvent[] = [];
  const deferred: Array<{ at: number; event: PlannedEvent }> = [];
  let unit = 0;

  const push = (event: Omit<PlannedEvent, "id" | "encoding" | "outOfOrder"> & { outOfOrder?: boolean }) => {
    events.push({ outOfOrder: false, ...event, id: randomUUID(), encoding: encodingOf(rng) });
    while (deferred.length > 0 && (deferred[0]?.at ?? Infinity) <= events.length) {
      events.push((deferred.shift() as { event: PlannedEvent }).event);
    }
  };
  const defer = (event: Omit<PlannedEvent, "id" | "encoding" | "outOfOrder">) =>
    deferred.push({
      at: events.length + deferBy,
      event: { ...event, id: randomUUID(), encoding: encodingOf(rng), outOfOrder: false },
    });

  while (events.length + deferred.length < count) {
    const user = rng.pick(population.users);
    const tenantId = user.tenantId;
    const n = unit++;
    if (rng.next() < 0.25) {
      pushSubscriptionEvent(push, rng, user, n);
      continue;
    }
    // Ids only need to be unique per tenant, and tenant ids carry the run id.
    const orderId = `o${n}`;
    const paymentId = `p${n}`;
    const price = money(rng, user);
    const failed = rng.next() < 0.1;
    const early = rng.next() < outOfOrderShare;
    const order = {
      tenantId,
      domain: "order" as const,
      aggregateId: orderId,
      userId: user.userId,
      type: "com.fluxpay.order.created",
      data: { orderId, userId: user.userId, totalAmount: price.amount, currency: price.currency },
    };
    const payment = {
      tenantId,
      domain: "payment" as const,
      aggregateId: paymentId,
      userId: user.userId,
      type: failed ? "com.fluxpay.payment.failed" : "com.fluxpay.payment.approved",
      data: failed
        ? { paymentId, orderId, ...price, errorMessage: "카드 한도 초과 <limit exceeded>" }
        : { paymentId, orderId, ...price, pgPaymentKey: `tgen_${n}` },
    };
    const statusChanged = {
      ...order,
      type: "com.fluxpay.order.status-changed",
      // userId is optional on status changes: without it the worker finds the user by the order.
      data: {
        orderId,
        ...(rng.next() < 0.7 ? { userId: user.userId } : {}),
        fromStatus: "PENDING",
        toStatus: failed ? "FAILED" : "PAID",
      },
    };
    if (early) {
      push({ ...payment, outOfOrder: true });
      defer(order);
      defer(statusChanged);
    } else {
      push(order);
      push(payment);
      push(statusChanged);
    }
    if (!failed && rng.next() < 0.08) deferRefund(defer, rng, { tenantId, user, paymentId, price, n });
    if (rng.next() < 0.005) {
      push({ ...payment, type: UNKNOWN_TYPE, userId: null, data: { paymentId, orderId, reason: "bench" } });
    }
  }
  for (const { event } of deferred) events.push(event);
  return events;
}

type Push = (event: Omit<PlannedEvent, "id" | "encoding" | "outOfOrder">) => void;

function deferRefund(
  defer: Push,
  rng: Random,
  context: {
    tenantId: string;
    user: User;
    paymentId: string;
    price: { amount: string; currency: string };
    n: number;
  },
) {
  const { tenantId, user, paymentId, price, n } = context;
  const refundId = `r${n}`;
  const common = { tenantId, domain: "refund" as const, aggregateId: refundId, userId: user.userId };
  defer({
    ...common,
    type: "com.fluxpay.refund.requested",
    data: { refundId, paymentId, ...price, reason: "고객 요청" },
  });
  defer(
    rng.next() < 0.85
      ? {
          ...common,
          type: "com.fluxpay.refund.completed",
          data: { refundId, paymentId, ...price, pgRefundId: `rf_${n}` },
        }
      : {
          ...common,
          type: "com.fluxpay.refund.failed",
          data: { refundId, paymentId, errorMessage: "PG timeout" },
        },
  );
}

function pushSubscriptionEvent(push: Push, rng: Random, user: User, n: number) {
  const subscriptionId = `s${n}`;
  const planName = rng.pick(PLANS);
  const common = {
    tenantId: user.tenantId,
    domain: "subscription" as const,
    aggregateId: subscriptionId,
    userId: user.userId,
  };
  const price = money(rng, user);
  const periodEnd = "2027-01-31T15:00:00Z";
  const roll = rng.next();
  if (roll < 0.3) {
    push({
      ...common,
      type: "com.fluxpay.subscription.created",
      data: { subscriptionId, userId: user.userId, planName, ...price, currentPeriodEnd: periodEnd },
    });
  } else if (roll < 0.7) {
    push({
      ...common,
      type: "com.fluxpay.subscription.renewed",
      data: { subscriptionId, userId: user.userId, planName, ...price, currentPeriodEnd: periodEnd },
    });
  } else if (roll < 0.85) {
    push({
      ...common,
      type: "com.fluxpay.subscription.expiring",
      data: { subscriptionId, userId: user.userId, planName, expiresAt: periodEnd },
    });
  } else {
    push({
      ...common,
      type: "com.fluxpay.subscription.cancelled",
      data: { subscriptionId, userId: user.userId, planName },
    });
  }
}
