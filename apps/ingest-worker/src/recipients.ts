import type { Database } from "@fluxnotify/db";
import {
  findOrderUser,
  findPaymentOrder,
  rememberOrderUser,
  rememberPaymentOrder,
} from "@fluxnotify/db/queries/ingest";
import type { EventData, EventType } from "@fluxnotify/shared/contracts";

export type Resolution = { userId: string } | { waitingFor: string; reason: string };

type AnyData = EventData & { userId?: string; orderId?: string; paymentId?: string };

/**
 * Learns the mappings payment and refund events need (order → user, payment → order) and
 * returns the parking keys of mappings that are new, so events waiting on them are released.
 */
export async function learnMappings(
  db: Database,
  tenantId: string,
  type: EventType,
  data: EventData,
): Promise<string[]> {
  const fields = data as AnyData;
  if (type.startsWith("com.fluxpay.order.") && fields.orderId && fields.userId) {
    const learned = await rememberOrderUser(db, { tenantId, orderId: fields.orderId, userId: fields.userId });
    return learned ? [`order:${fields.orderId}`] : [];
  }
  if (type.startsWith("com.fluxpay.payment.") && fields.paymentId && fields.orderId) {
    const learned = await rememberPaymentOrder(db, {
      tenantId,
      paymentId: fields.paymentId,
      orderId: fields.orderId,
    });
    return learned ? [`payment:${fields.paymentId}`] : [];
  }
  return [];
}

/**
 * Finds who an event is for. Payment and refund events carry no user (CONTRACT §1): the
 * user comes from the order, the order from the payment. A missing link is a reason to
 * wait (park), not to fail. A userId in the data, should a producer add one, wins.
 */
export async function resolveRecipient(db: Database, tenantId: string, data: EventData): Promise<Resolution> {
  const fields = data as AnyData;
  if (fields.userId) return { userId: fields.userId };
  let orderId = fields.orderId;
  if (!orderId && fields.paymentId) {
    orderId = await findPaymentOrder(db, tenantId, fields.paymentId);
    if (!orderId) {
      return {
        waitingFor: `payment:${fields.paymentId}`,
        reason: `payment ${fields.paymentId} has not been seen yet`,
      };
    }
  }
  if (!orderId) return { waitingFor: "never", reason: "event names neither a user, an order nor a payment" };
  const userId = await findOrderUser(db, tenantId, orderId);
  return userId
    ? { userId }
    : { waitingFor: `order:${orderId}`, reason: `order ${orderId} has not been seen yet` };
}
