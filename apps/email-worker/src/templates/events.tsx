// Explicit JSX runtime: tsx may run this from a directory without our tsconfig (bin/dev, Docker).
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { type EmailProps, Layout, type Locale } from "./layout";

type Props = Omit<EmailProps, "children">;
const pick = (locale: Locale, ko: string, en: string) => (locale === "en" ? en : ko);

/** One template per FluxPay event type (CONTRACT §1); shared frame, event-specific guidance. */

export const PaymentApprovedEmail = (p: Props) => (
  <Layout {...p}>{pick(p.locale, "이용해 주셔서 감사합니다.", "Thank you for your purchase.")}</Layout>
);

export const PaymentFailedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(
      p.locale,
      "결제 수단을 확인한 뒤 다시 시도해 주세요.",
      "Please check your payment method and try again.",
    )}
  </Layout>
);

export const OrderCreatedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(p.locale, "결제가 완료되면 다시 알려 드립니다.", "We will let you know once payment completes.")}
  </Layout>
);

export const OrderStatusChangedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(p.locale, "주문 내역에서 자세히 확인할 수 있습니다.", "See your order history for details.")}
  </Layout>
);

export const RefundRequestedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(
      p.locale,
      "환불이 처리되면 다시 알려 드립니다.",
      "We will let you know once the refund is processed.",
    )}
  </Layout>
);

export const RefundCompletedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(
      p.locale,
      "카드사 사정에 따라 실제 반영까지 3~5영업일이 걸릴 수 있습니다.",
      "It may take 3–5 business days to appear on your statement.",
    )}
  </Layout>
);

export const RefundFailedEmail = (p: Props) => (
  <Layout {...p}>{pick(p.locale, "고객센터로 문의해 주세요.", "Please contact customer support.")}</Layout>
);

export const SubscriptionCreatedEmail = (p: Props) => (
  <Layout {...p}>{pick(p.locale, "구독을 시작해 주셔서 감사합니다.", "Thanks for subscribing.")}</Layout>
);

export const SubscriptionRenewedEmail = (p: Props) => (
  <Layout {...p}>
    {pick(
      p.locale,
      "다음 결제일에 자동으로 갱신됩니다.",
      "It renews automatically at the end of the period.",
    )}
  </Layout>
);

export const SubscriptionCancelledEmail = (p: Props) => (
  <Layout {...p}>
    {pick(p.locale, "언제든지 다시 구독할 수 있습니다.", "You can subscribe again at any time.")}
  </Layout>
);

export const SubscriptionExpiringEmail = (p: Props) => (
  <Layout {...p}>
    {pick(
      p.locale,
      "계속 이용하시려면 만료 전에 갱신해 주세요.",
      "Renew before it expires to keep your plan.",
    )}
  </Layout>
);

export type EmailTemplate = (props: Props) => React.JSX.Element;

export const EMAIL_TEMPLATES: Record<string, EmailTemplate> = {
  "com.fluxpay.payment.approved": PaymentApprovedEmail,
  "com.fluxpay.payment.failed": PaymentFailedEmail,
  "com.fluxpay.order.created": OrderCreatedEmail,
  "com.fluxpay.order.status-changed": OrderStatusChangedEmail,
  "com.fluxpay.refund.requested": RefundRequestedEmail,
  "com.fluxpay.refund.completed": RefundCompletedEmail,
  "com.fluxpay.refund.failed": RefundFailedEmail,
  "com.fluxpay.subscription.created": SubscriptionCreatedEmail,
  "com.fluxpay.subscription.renewed": SubscriptionRenewedEmail,
  "com.fluxpay.subscription.cancelled": SubscriptionCancelledEmail,
  "com.fluxpay.subscription.expiring": SubscriptionExpiringEmail,
};
