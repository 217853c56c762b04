import { formatDate, formatMoney, formatTime, type Locale } from "./format";
import { displayText } from "./text";

/**
 * The longest single value a notification shows (a plan name, an error message, an id),
 * in code points. No detail a person reads in a notification needs more, and a full set
 * of such values keeps an email well below the 102 KB at which Gmail clips a message.
 * Channels bound their assembled text to their providers' limits on top of this.
 */
export const VALUE_MAX_CODE_POINTS = 500;
/** Most labelled details one notification shows: Slack's limit on a section's fields. */
export const FIELDS_MAX = 10;
/** Labels and event-type names that come from data rather than from our own copy. */
const LABEL_MAX_CODE_POINTS = 100;

/**
 * One notification's words, shared by every channel (email, Slack, in-app). Every value
 * taken from event data is cleaned of control and bidi-override characters and bounded
 * (see text.ts) here, once, so no channel can render one raw.
 */
export interface NotificationCopy {
  /** Email subject, Slack header, in-app title. */
  title: string;
  /** One sentence saying what happened. */
  summary: string;
  /** Labelled details, already formatted for the reader's locale and time zone. */
  fields: Array<{ label: string; value: string }>;
  /** Whether it reports a problem (styling only). */
  tone: "info" | "success" | "warning" | "error";
}

export interface CopyInput {
  eventType: string;
  data: Record<string, unknown>;
  locale: Locale;
  timeZone?: string;
}

/**
 * A table entry by a key that comes from data: own properties only, so an event type or a
 * status named "constructor" or "toString" is unknown, not Object.prototype's member.
 */
const own = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

const text = (data: Record<string, unknown>, key: string): string | undefined => {
  const value = data[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
};

const ORDER_STATUS: Record<Locale, Record<string, string>> = {
  ko: { PENDING: "대기", PAID: "결제 완료", COMPLETED: "완료", CANCELLED: "취소", FAILED: "실패" },
  en: { PENDING: "Pending", PAID: "Paid", COMPLETED: "Completed", CANCELLED: "Cancelled", FAILED: "Failed" },
};

type Labels = Record<string, [ko: string, en: string]>;
const LABELS: Labels = {
  amount: ["금액", "Amount"],
  totalAmount: ["총 금액", "Total"],
  orderId: ["주문 번호", "Order"],
  paymentId: ["결제 번호", "Payment"],
  refundId: ["환불 번호", "Refund"],
  subscriptionId: ["구독 번호", "Subscription"],
  planName: ["요금제", "Plan"],
  reason: ["사유", "Reason"],
  errorMessage: ["실패 사유", "Error"],
  fromStatus: ["이전 상태", "From"],
  toStatus: ["변경 상태", "To"],
  currentPeriodEnd: ["다음 결제일", "Current period ends"],
  expiresAt: ["만료일", "Expires"],
  pgPaymentKey: ["승인 번호", "Approval key"],
  pgRefundId: ["환불 승인 번호", "Refund reference"],
  occurredAt: ["일시", "Time"],
};

type Spec = {
  title: [string, string];
  summary: (v: Record<string, string>, locale: Locale) => string;
  fields: string[];
  tone: NotificationCopy["tone"];
};

const SPECS: Record<string, Spec> = {
  "com.fluxpay.payment.approved": {
    title: ["결제가 완료되었습니다", "Payment approved"],
    summary: (v, l) =>
      l === "ko" ? `${v.amount} 결제가 승인되었습니다.` : `Your payment of ${v.amount} was approved.`,
    fields: ["amount", "orderId", "paymentId", "pgPaymentKey", "occurredAt"],
    tone: "success",
  },
  "com.fluxpay.payment.failed": {
    title: ["결제에 실패했습니다", "Payment failed"],
    summary: (v, l) =>
      l === "ko" ? `${v.amount} 결제에 실패했습니다.` : `Your payment of ${v.amount} failed.`,
    fields: ["amount", "errorMessage", "orderId", "paymentId", "occurredAt"],
    tone: "error",
  },
  "com.fluxpay.order.created": {
    title: ["주문이 접수되었습니다", "Order received"],
    summary: (v, l) =>
      l === "ko" ? `${v.totalAmount} 주문이 접수되었습니다.` : `We received your order of ${v.totalAmount}.`,
    fields: ["totalAmount", "orderId", "occurredAt"],
    tone: "info",
  },
  "com.fluxpay.order.status-changed": {
    title: ["주문 상태가 변경되었습니다", "Order status changed"],
    summary: (v, l) =>
      l === "ko" ? `주문 상태가 '${v.toStatus}'(으)로 변경되었습니다.` : `Your order is now ${v.toStatus}.`,
    fields: ["orderId", "fromStatus", "toStatus", "occurredAt"],
    tone: "info",
  },
  "com.fluxpay.refund.requested": {
    title: ["환불 요청이 접수되었습니다", "Refund requested"],
    summary: (v, l) =>
      l === "ko" ? `${v.amount} 환불 요청이 접수되었습니다.` : `A refund of ${v.amount} was requested.`,
    fields: ["amount", "reason", "refundId", "paymentId", "occurredAt"],
    tone: "info",
  },
  "com.fluxpay.refund.completed": {
    title: ["환불이 완료되었습니다", "Refund completed"],
    summary: (v, l) =>
      l === "ko" ? `${v.amount} 환불이 완료되었습니다.` : `Your refund of ${v.amount} is complete.`,
    fields: ["amount", "refundId", "paymentId", "pgRefundId", "occurredAt"],
    tone: "success",
  },
  "com.fluxpay.refund.failed": {
    title: ["환불에 실패했습니다", "Refund failed"],
    summary: (_v, l) => (l === "ko" ? "환불 처리에 실패했습니다." : "Your refund could not be processed."),
    fields: ["errorMessage", "refundId", "paymentId", "occurredAt"],
    tone: "error",
  },
  "com.fluxpay.subscription.created": {
    title: ["구독이 시작되었습니다", "Subscription started"],
    summary: (v, l) =>
      l === "ko" ? `${v.planName} 구독이 시작되었습니다.` : `Your ${v.planName} subscription has started.`,
    fields: ["planName", "amount", "currentPeriodEnd", "subscriptionId", "occurredAt"],
    tone: "success",
  },
  "com.fluxpay.subscription.renewed": {
    title: ["구독이 갱신되었습니다", "Subscription renewed"],
    summary: (v, l) =>
      l === "ko"
        ? `${v.planName} 구독이 ${v.amount}에 갱신되었습니다.`
        : `Your ${v.planName} subscription renewed for ${v.amount}.`,
    fields: ["planName", "amount", "currentPeriodEnd", "subscriptionId", "occurredAt"],
    tone: "success",
  },
  "com.fluxpay.subscription.cancelled": {
    title: ["구독이 해지되었습니다", "Subscription cancelled"],
    summary: (v, l) =>
      l === "ko" ? `${v.planName} 구독이 해지되었습니다.` : `Your ${v.planName} subscription was cancelled.`,
    fields: ["planName", "subscriptionId", "occurredAt"],
    tone: "warning",
  },
  "com.fluxpay.subscription.expiring": {
    title: ["구독 만료 예정 안내", "Subscription expiring soon"],
    summary: (v, l) =>
      l === "ko"
        ? `${v.planName} 구독이 ${v.expiresAt}에 만료됩니다.`
        : `Your ${v.planName} subscription expires on ${v.expiresAt}.`,
    fields: ["planName", "expiresAt", "subscriptionId", "occurredAt"],
    tone: "warning",
  },
};

export const COPY_EVENT_TYPES = Object.keys(SPECS);

/** One raw field as its reader sees it; amounts use the event's currency. */
function formatValue(key: string, value: string, input: CopyInput, currency: string | undefined): string {
  const { locale, timeZone } = input;
  if ((key === "amount" || key === "totalAmount") && currency) return formatMoney(value, currency, locale);
  if (key === "occurredAt") return formatTime(value, locale, timeZone);
  if (key === "currentPeriodEnd" || key === "expiresAt") return formatDate(value, locale, timeZone);
  if (key === "fromStatus" || key === "toStatus") return own(ORDER_STATUS[locale], value) ?? value;
  return value;
}

/** Every displayable field, formatted, cleaned and bounded. */
function formatValues(input: CopyInput): Record<string, string> {
  const { data } = input;
  const currency = text(data, "currency");
  // No prototype: a data key "__proto__" is a field like any other.
  const out: Record<string, string> = Object.create(null);
  for (const [key, raw] of Object.entries(data)) {
    const value = text(data, key);
    if (value === undefined || raw === null) continue;
    out[key] = displayText(formatValue(key, value, input, currency), VALUE_MAX_CODE_POINTS);
  }
  return out;
}

/**
 * The words for one notification. Values are plain text: each channel escapes for its own
 * medium (React for email HTML, mrkdwn escaping for Slack, JSON for in-app).
 */
export function notificationCopy(input: CopyInput): NotificationCopy {
  const index = input.locale === "en" ? 1 : 0;
  const values = formatValues(input);
  const spec = own(SPECS, input.eventType);
  if (!spec) {
    const short = displayText(input.eventType.replace(/^com\.fluxpay\./, ""), LABEL_MAX_CODE_POINTS);
    return {
      title: input.locale === "en" ? `Notification: ${short}` : `알림: ${short}`,
      summary: short,
      fields: Object.entries(values)
        .slice(0, FIELDS_MAX)
        .map(([key, value]) => ({
          label: own(LABELS, key)?.[index] ?? displayText(key, LABEL_MAX_CODE_POINTS),
          value,
        })),
      tone: "info",
    };
  }
  return {
    title: spec.title[index],
    summary: spec.summary(values, input.locale),
    fields: spec.fields
      .filter((key) => values[key] !== undefined)
      .map((key) => ({ label: own(LABELS, key)?.[index] ?? key, value: values[key] as string }))
      .slice(0, FIELDS_MAX),
    tone: spec.tone,
  };
}
