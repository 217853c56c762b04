import {
  findOrderUsers,
  findPaymentOrders,
  pairKey,
  rememberOrderUsers,
  rememberPaymentOrders,
  type SqlExecutor,
} from "@fluxnotify/db/queries/ingest";
import type { EventData, EventType } from "@fluxnotify/shared/contracts";

export type Resolution = { userId: string } | { waitingFor: string; reason: string };

type AnyData = EventData & { userId?: string; orderId?: string; paymentId?: string };

export interface MappingInput {
  tenantId: string;
  type: EventType;
  data: EventData;
}

/**
 * Learns the mappings payment and refund events need (order → user, payment → order) from
 * a batch of events, in two statements. Returns, per event, the parking keys of mappings it
 * taught first (so events waiting on them are released); the first event of a key wins.
 */
export async function learnMappings(db: SqlExecutor, events: MappingInput[]): Promise<string[][]> {
  const orders = new Map<
    string,
    { index: number; row: { tenantId: string; orderId: string; userId: string } }
  >();
  const payments = new Map<
    string,
    { index: number; row: { tenantId: string; paymentId: string; orderId: string } }
  >();
  events.forEach(({ tenantId, type, data }, index) => {
    const fields = data as AnyData;
    if (type.startsWith("com.fluxpay.order.") && fields.orderId && fields.userId) {
      const key = pairKey(tenantId, fields.orderId);
      if (!orders.has(key))
        orders.set(key, { index, row: { tenantId, orderId: fields.orderId, userId: fields.userId } });
    } else if (type.startsWith("com.fluxpay.payment.") && fields.paymentId && fields.orderId) {
      const key = pairKey(tenantId, fields.paymentId);
      if (!payments.has(key))
        payments.set(key, { index, row: { tenantId, paymentId: fields.paymentId, orderId: fields.orderId } });
    }
  });
  const [newOrders, newPayments] = await Promise.all([
    rememberOrderUsers(
      db,
      [...orders.values()].map((entry) => entry.row),
    ),
    rememberPaymentOrders(
      db,
      [...payments.values()].map((entry) => entry.row),
    ),
  ]);
  const learned: string[][] = events.map(() => []);
  for (const [key, { index, row }] of orders)
    if (newOrders.has(key)) learned[index]?.push(`order:${row.orderId}`);
  for (const [key, { index, row }] of payments)
    if (newPayments.has(key)) learned[index]?.push(`payment:${row.paymentId}`);
  return learned;
}

/**
 * Finds who each event is for, in at most two queries. Payment and refund events carry no
 * user (CONTRACT §1): the user comes from the order, the order from the payment. A missing
 * link is a reason to wait (park), not to fail. A userId in the data, should a producer add
 * one, wins.
 */
export async function resolveRecipients(
  db: SqlExecutor,
  events: Array<{ tenantId: string; data: EventData }>,
): Promise<Resolution[]> {
  const fieldsOf = (data: EventData) => data as AnyData;
  const paymentPairs = events
    .filter(({ data }) => !fieldsOf(data).userId && !fieldsOf(data).orderId && fieldsOf(data).paymentId)
    .map(({ tenantId, data }): [string, string] => [tenantId, fieldsOf(data).paymentId as string]);
  const paymentOrders = await findPaymentOrders(db, paymentPairs);
  const orderIdOf = ({ tenantId, data }: { tenantId: string; data: EventData }) =>
    fieldsOf(data).orderId ??
    (fieldsOf(data).paymentId
      ? paymentOrders.get(pairKey(tenantId, fieldsOf(data).paymentId as string))
      : undefined);
  const orderPairs = events
    .filter((event) => !fieldsOf(event.data).userId && orderIdOf(event))
    .map((event): [string, string] => [event.tenantId, orderIdOf(event) as string]);
  const orderUsers = await findOrderUsers(db, orderPairs);

  return events.map((event) => {
    const fields = fieldsOf(event.data);
    if (fields.userId) return { userId: fields.userId };
    const orderId = orderIdOf(event);
    if (!orderId && fields.paymentId) {
      return {
        waitingFor: `payment:${fields.paymentId}`,
        reason: `payment ${fields.paymentId} has not been seen yet`,
      };
    }
    if (!orderId)
      return { waitingFor: "never", reason: "event names neither a user, an order nor a payment" };
    const userId = orderUsers.get(pairKey(event.tenantId, orderId));
    return userId
      ? { userId }
      : { waitingFor: `order:${orderId}`, reason: `order ${orderId} has not been seen yet` };
  });
}
