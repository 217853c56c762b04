export { type PubSubMessage, type PubSubRecorder, recordInApp } from "./inapp";
export {
  type RcptAttempt,
  type ReceivedMail,
  type SmtpSink,
  type SmtpSinkOptions,
  startSmtpSink,
} from "./smtp";
export { type ReceivedPost, startWebhookSink, type WebhookReply, type WebhookSink } from "./webhook";
