import type { SqlExecutor } from "@fluxnotify/db/queries/ingest";
import { findPushTarget, type PushTarget, removeGonePushTarget } from "@fluxnotify/db/queries/push";
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import {
  type AllowListPolicy,
  type ChannelStrategy,
  type Classification,
  classifyAppError,
  type SendResult,
  tcpProbe,
} from "@fluxnotify/shared/delivery";
import { NonRetryableError } from "@fluxnotify/shared/errors";
import type { Logger } from "@fluxnotify/shared/logger";
import { database, type NetworkTarget, PushDatabaseError, PushGoneError, PushTransportError } from "./errors";
import { fcmSender } from "./fcm";
import { fcmTokenSource, type ServiceAccountKey } from "./fcm-token";
import { createPushHttp } from "./http";
import type { PushMetrics } from "./metrics";
import { type PushRendered, renderPush } from "./payload";
import { type VapidKeys, webPushSender } from "./webpush";

export interface FcmConfig {
  projectId: string;
  baseUrl: string;
  account: ServiceAccountKey;
}

export interface PushStrategyOptions {
  sql: SqlExecutor;
  policy: AllowListPolicy;
  vapid: VapidKeys;
  ttlSeconds: number;
  timeoutMs: number;
  openUrl?: string | undefined;
  /** Absent: FCM targets are dead-lettered PUSH_FCM_NOT_CONFIGURED. */
  fcm?: FcmConfig | undefined;
  logger?: Logger;
  /** Where subscription clean-ups are counted; none without it. */
  metrics?: PushMetrics;
}

const DOWN_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNABORTED"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What was down last: a host (probed by a TCP connect) or the database (probed by a query). */
type Down = { kind: "host"; target: NetworkTarget } | { kind: "database" };

/**
 * PUSH: a command's destination is one push_subscriptions row (one device). The row is read
 * before each send, so a device deleted or moved to another user since the command was
 * issued is not sent to; Web Push or FCM by its type; a device the provider reports gone is
 * removed and its delivery SKIPPED.
 */
export function pushStrategy(
  options: PushStrategyOptions,
): ChannelStrategy<PushRendered> & { close(): void } {
  const { sql, logger } = options;
  const http = createPushHttp(options.timeoutMs);
  const webPush = webPushSender({
    http,
    policy: options.policy,
    vapid: options.vapid,
    ttlSeconds: options.ttlSeconds,
  });
  const fcm = options.fcm
    ? fcmSender({
        http,
        tokens: fcmTokenSource(options.fcm.account, http),
        projectId: options.fcm.projectId,
        baseUrl: options.fcm.baseUrl,
        ttlSeconds: options.ttlSeconds,
      })
    : undefined;
  let down: Down | undefined;

  async function targetOf(command: ChannelCommand): Promise<PushTarget> {
    if (!UUID.test(command.destination))
      throw new NonRetryableError(
        "PUSH_DESTINATION_INVALID",
        "a PUSH destination must be a push subscription id",
      );
    const target = await database(() => findPushTarget(sql, command.destination));
    if (!target || target.tenantId !== command.tenantId || target.userId !== command.recipient.userId) {
      throw new PushGoneError(
        "PUSH_SUBSCRIPTION_REMOVED",
        `push subscription ${command.destination} was removed or now belongs to another user; not sent`,
        false,
      );
    }
    return target;
  }

  function sendTo(target: PushTarget, rendered: PushRendered): Promise<SendResult> {
    if (target.type === "webpush") return webPush(target, rendered);
    if (target.type !== "fcm")
      throw new NonRetryableError(
        "PUSH_TARGET_TYPE_UNKNOWN",
        `push subscription ${target.id} has an unknown type`,
      );
    if (!fcm)
      throw new NonRetryableError(
        "PUSH_FCM_NOT_CONFIGURED",
        `push subscription ${target.id} is an FCM token, but FCM is not configured (set FCM_SERVICE_ACCOUNT and FCM_PROJECT_ID)`,
      );
    return fcm(target, rendered);
  }

  return {
    channel: "PUSH",
    // Until the device is read: a send that fails looking it up reached no push service.
    provider: "none",
    render: (command) => renderPush(command, { openUrl: options.openUrl }),
    async send(rendered, command, attempt) {
      const target = await targetOf(command);
      // The row's type, bounded: an unknown one is refused below, and must not mint label values.
      if (attempt)
        attempt.provider = target.type === "webpush" || target.type === "fcm" ? target.type : "unknown";
      try {
        return await sendTo(target, rendered);
      } catch (error) {
        if (error instanceof PushGoneError && error.remove) {
          // Matched on the address too: a device that re-registered meanwhile keeps its row.
          const removed = await database(() => removeGonePushTarget(sql, target.id, target.address));
          if (removed) options.metrics?.removed.inc({ type: target.type, code: error.code });
          logger?.info(
            { subscriptionId: target.id, type: target.type, code: error.code, removed },
            "push target gone",
          );
        }
        throw error;
      }
    },
    classify(error): Classification {
      if (error instanceof PushGoneError) return { kind: "gone", code: error.code };
      if (error instanceof PushTransportError) {
        if (DOWN_CODES.has(error.code)) {
          down = { kind: "host", target: error.target };
          return { kind: "provider_down", code: "PUSH_UNREACHABLE" };
        }
        if (TIMEOUT_CODES.has(error.code)) {
          down = { kind: "host", target: error.target };
          return { kind: "transient", code: "PUSH_TIMEOUT", timeout: true };
        }
        return { kind: "transient", code: `PUSH_NETWORK_${error.code}` };
      }
      if (error instanceof PushDatabaseError) {
        if (!error.connection) return { kind: "transient", code: "PUSH_DATABASE_ERROR" };
        down = { kind: "database" };
        return { kind: "provider_down", code: "PUSH_DATABASE_UNAVAILABLE" };
      }
      return classifyAppError(error, "PUSH_UNEXPECTED");
    },
    async probe() {
      const last = down;
      if (!last) return;
      if (last.kind === "database") await sql`select 1`;
      // A TCP connect is enough to know the host accepts connections again; no request is sent.
      else await tcpProbe(last.target);
    },
    close: () => http.close(),
  };
}
