import { z } from "zod";
import { normaliseDecimal } from "./decimal";
import type { ParseResult } from "./records";
import { parseInstant } from "./time";

/**
 * FluxPay event data (CONTRACT §1), validated per type. Amounts stay exact decimal strings
 * (see parseJsonExact); unknown fields are stripped, omitted optional fields stay absent.
 */

export const DOMAINS = ["payment", "subscription", "order", "refund"] as const;
export type Domain = (typeof DOMAINS)[number];

/** Identifiers are UUIDs or similar; a cap keeps them inside what an index entry holds. */
const id = z.string().trim().min(1).max(256);

/** Runs one of our exact parsers as a zod transform; its reason becomes the issue message. */
const parsedBy =
  (parse: (text: string) => ParseResult<string>) => (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.reason });
    return z.NEVER;
  };

/**
 * An exact decimal as plain text: any JSON number (`15000.00`, `1.5E+4`, `-0`; numbers
 * arrive as their source text, see parseJsonExact) or a decimal string, at most
 * MAX_DECIMAL_DIGITS digits. `1.5E+4` becomes `15000`; `15000.00` stays `15000.00`.
 */
export const decimal = z
  .union([z.string(), z.number()])
  .transform(String)
  .transform(parsedBy(normaliseDecimal));
const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as KRW");
/** An RFC 3339 instant (up to nine fractional digits, any offset), normalised to UTC. */
const instant = z.string().transform(parsedBy(parseInstant));
const orderStatus = z.enum(["PENDING", "PAID", "COMPLETED", "CANCELLED", "FAILED"]);

const base = { eventId: id, occurredAt: instant, userId: id.optional() };

export const eventDataSchemas = {
  "com.fluxpay.payment.approved": z.object({
    ...base,
    paymentId: id,
    orderId: id,
    amount: decimal,
    currency,
    pgPaymentKey: z.string().optional(),
  }),
  "com.fluxpay.payment.failed": z.object({
    ...base,
    paymentId: id,
    orderId: id,
    amount: decimal,
    currency,
    errorMessage: z.string().optional(),
  }),
  "com.fluxpay.order.created": z.object({ ...base, orderId: id, userId: id, totalAmount: decimal, currency }),
  "com.fluxpay.order.status-changed": z.object({
    ...base,
    orderId: id,
    fromStatus: orderStatus,
    toStatus: orderStatus,
  }),
  "com.fluxpay.refund.requested": z.object({
    ...base,
    refundId: id,
    paymentId: id,
    amount: decimal,
    currency,
    reason: z.string().optional(),
  }),
  "com.fluxpay.refund.completed": z.object({
    ...base,
    refundId: id,
    paymentId: id,
    amount: decimal,
    currency,
    pgRefundId: z.string().optional(),
  }),
  "com.fluxpay.refund.failed": z.object({ ...base, refundId: id, paymentId: id, errorMessage: z.string() }),
  "com.fluxpay.subscription.created": z.object({
    ...base,
    subscriptionId: id,
    userId: id,
    planName: z.string().min(1),
    amount: decimal.optional(),
    currency: currency.optional(),
    currentPeriodEnd: instant.optional(),
  }),
  "com.fluxpay.subscription.renewed": z.object({
    ...base,
    subscriptionId: id,
    userId: id,
    planName: z.string().min(1),
    amount: decimal,
    currency,
    currentPeriodEnd: instant,
  }),
  "com.fluxpay.subscription.cancelled": z.object({
    ...base,
    subscriptionId: id,
    userId: id,
    planName: z.string().min(1),
  }),
  "com.fluxpay.subscription.expiring": z.object({
    ...base,
    subscriptionId: id,
    userId: id,
    planName: z.string().min(1),
    expiresAt: instant,
  }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType = EventType> = z.infer<(typeof eventDataSchemas)[T]>;

export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(eventDataSchemas, type);
}

/** `com.fluxpay.payment.approved` → `payment.approved` (the name users and routing see). */
export function shortEventType(type: EventType): string {
  return type.slice("com.fluxpay.".length);
}

export function domainOfEventType(type: string): Domain | undefined {
  const domain = type.split(".")[2];
  return (DOMAINS as readonly string[]).includes(domain ?? "") ? (domain as Domain) : undefined;
}

export function domainOfTopic(topic: string): Domain | undefined {
  const match = /^fluxpay\.([a-z]+)\.events$/.exec(topic);
  return match && (DOMAINS as readonly string[]).includes(match[1] ?? "") ? (match[1] as Domain) : undefined;
}

export type DataValidation<T extends EventType> =
  | { ok: true; data: EventData<T> }
  | { ok: false; reason: string };

/** Validates `data` for a known type; the reason names every bad field. */
export function validateEventData<T extends EventType>(type: T, data: unknown): DataValidation<T> {
  const result = eventDataSchemas[type].safeParse(data);
  if (result.success) return { ok: true, data: result.data as EventData<T> };
  const problems = result.error.issues.map((issue) => `data.${issue.path.join(".")}: ${issue.message}`);
  return { ok: false, reason: `invalid data for ${type}: ${problems.join("; ")}` };
}
