import { inAppDestination } from "../contracts/inapp";
import { type ChannelDefinition, DEFAULT_POLICY } from "./definition";

/** IN_APP: every user has an inbox; apps/inapp-worker publishes to their Redis channel. */
export const inApp = {
  id: "IN_APP",
  commandTopic: "notification.commands.inapp",
  consumerGroup: "notif-inapp",
  app: "inapp-worker",
  healthPort: 9104,
  defaultEvents: [
    "payment.approved",
    "payment.failed",
    "subscription.expiring",
    "order.created",
    "order.status-changed",
    "refund.completed",
    "refund.failed",
  ],
  destinations: ({ tenantId, userId }) => {
    const address = inAppDestination(tenantId, userId);
    return [{ address, display: address }];
  },
  display: (address) => address,
  // A send is an inbox row and a Redis publish, appended in batches of the sends in flight
  // (one transaction per batch, one batch at a time): 16 in flight capped the worker at one
  // batch of ≤ 16 per round trip, ~1,000 messages/s, the last stage of the 100k bench.
  policy: { ...DEFAULT_POLICY, concurrency: 64 },
} as const satisfies ChannelDefinition<"IN_APP", "inapp-worker">;
