// Stand-ins for the push providers (real HTTP servers on 127.0.0.1) for tests, e2e, bench and
// fault runs: a Web Push service that verifies VAPID and decrypts what it is sent, and FCM
// HTTP v1 with its OAuth token endpoint.
export {
  type BrowserKeys,
  type BrowserSubscription,
  decryptPushMessage,
  newBrowserSubscription,
} from "./ece";
export {
  FCM_SCOPE,
  type FcmErrorKind,
  type FcmReply,
  type FcmService,
  type ReceivedFcmMessage,
  type ServiceAccount,
  startFcmService,
} from "./fcm-service";
export type { RestartableServer } from "./server";
export { p256PublicJwk, type VapidClaims, verifyVapid } from "./vapid";
export {
  MAX_PUSH_BODY_BYTES,
  type PushReply,
  type ReceivedPush,
  type RejectedPush,
  startWebPushService,
  type WebPushService,
} from "./webpush-service";
