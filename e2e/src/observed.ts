import type { PubSubMessage, RcptAttempt, ReceivedMail, ReceivedPost } from "@fluxnotify/platform/sinks";

/** Everything the outside world received so far, as the sink-control server reports it. */
export interface Observed {
  mail: ReceivedMail[];
  rcpt: RcptAttempt[];
  slack: Array<Omit<ReceivedPost, "headers">>;
  inapp: PubSubMessage[];
}
