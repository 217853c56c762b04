import type { PubSubMessage, RcptAttempt, ReceivedMail, ReceivedPost } from "@fluxnotify/platform/sinks";

/** Everything the outside world received so far, as the sink-control server reports it. */
export interface Observed {
  mail: ReceivedMail[];
  rcpt: RcptAttempt[];
  slack: Array<Omit<ReceivedPost, "headers">>;
  inapp: PubSubMessage[];
  /** Web Push messages the push stand-in accepted, decrypted. */
  push: Array<{
    endpoint: string;
    payload: unknown;
    urgency: string | undefined;
    ttl: number;
    topic: string | undefined;
    at: number;
  }>;
}
