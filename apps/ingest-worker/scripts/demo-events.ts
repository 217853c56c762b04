// Publishes a small FluxPay story (an order and its failed payment) for tenant-a / user-1 to
// the local broker, so a running bin/dev shows every channel at work:
//   pnpm --filter @fluxnotify/ingest-worker demo
import { randomUUID } from "node:crypto";
import { createProducer } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";

const tenantId = "tenant-a";
const userId = "user-1";
const orderId = `order-${randomUUID().slice(0, 8)}`;
const paymentId = `pay-${randomUUID().slice(0, 8)}`;

const event = (type: string, data: Record<string, unknown>) => fluxpayEvent(tenantId, type, data).json;

const producer = createProducer({
  connection: { brokers: ["127.0.0.1:9092"], clientId: "demo" },
  logger: createLogger({ name: "demo", level: "warn" }),
  registry: createMetricsRegistry("demo"),
});
await producer.send([
  {
    topic: "fluxpay.order.events",
    key: `${tenantId}:${orderId}`,
    value: event("com.fluxpay.order.created", { orderId, userId, totalAmount: 15000, currency: "KRW" }),
  },
  {
    topic: "fluxpay.payment.events",
    key: `${tenantId}:${paymentId}`,
    value: event(
      "com.fluxpay.payment.failed",
      // num: → a bare JSON number with its scale, as FluxPay's BigDecimal travels.
      {
        paymentId,
        orderId,
        amount: "num:15000.00",
        currency: "KRW",
        errorMessage: "카드 한도 초과 <script>x</script>",
      },
    ),
  },
]);
await producer.close();
console.log(`published order ${orderId} and failed payment ${paymentId} for ${tenantId}/${userId}`);
