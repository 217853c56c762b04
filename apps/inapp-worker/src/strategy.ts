import {
  type ChannelCommand,
  inAppChannel,
  inAppDestination,
  inAppHistoryStream,
} from "@fluxnotify/shared/contracts";
import {
  type ChannelStrategy,
  type Classification,
  MESSAGE_BODY_MAX,
  MESSAGE_TITLE_MAX,
  type NotificationMessage,
  notificationMessage,
} from "@fluxnotify/shared/delivery";
import { AppError, NonRetryableError } from "@fluxnotify/shared/errors";
import { pingRedis, type Redis } from "@fluxnotify/shared/redis";

/** CONTRACT §5: one JSON message per notification on the user's channel (the shared §5 message). */
export type InAppMessage = NotificationMessage;

export interface InAppRendered {
  channel: string;
  stream: string;
  payload: string;
}

/** Bounds of what a feed card shows, in code points (the shared §5 message's). */
export const INAPP_TITLE_MAX = MESSAGE_TITLE_MAX;
export const INAPP_BODY_MAX = MESSAGE_BODY_MAX;

/**
 * Renders one command for the deployment's channel names (`channelPrefix`, CONTRACT §5).
 * The command carries the unprefixed destination; it must be its recipient's own.
 */
export function renderInApp(command: ChannelCommand, channelPrefix: string): InAppRendered {
  const { tenantId } = command;
  const { userId } = command.recipient;
  const expected = inAppDestination(tenantId, userId);
  // The channel name is the only authorisation a subscriber has: never publish to another user's.
  if (command.destination !== expected) {
    throw new NonRetryableError(
      "INAPP_DESTINATION_INVALID",
      `destination is not the recipient's channel ${expected}`,
    );
  }
  const message: InAppMessage = notificationMessage(command);
  return {
    channel: inAppChannel(channelPrefix, tenantId, userId),
    stream: inAppHistoryStream(channelPrefix, tenantId, userId),
    payload: JSON.stringify(message),
  };
}

const DOWN_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ECONNRESET",
  "ENETUNREACH",
]);

export function classifyInApp(error: unknown): Classification {
  if (error instanceof AppError)
    return { kind: error.retryable ? "transient" : "permanent", code: error.code };
  const err = error as { code?: string; name?: string; message?: string };
  if ((err.code && DOWN_CODES.has(err.code)) || err.name === "MaxRetriesPerRequestError") {
    return { kind: "provider_down", code: "REDIS_UNAVAILABLE" };
  }
  if (/ETIMEDOUT|timed out/i.test(err.message ?? ""))
    return { kind: "transient", code: "REDIS_TIMEOUT", timeout: true };
  return { kind: "transient", code: "REDIS_ERROR" };
}

/**
 * Publish for connected clients and append to a capped stream so one that connects later
 * catches up (XRANGE/XREVRANGE); both in one MULTI so history never misses a published message.
 */
export function inAppStrategy(
  redis: Redis,
  options: { historySize: number; channelPrefix: string },
): ChannelStrategy<InAppRendered> {
  return {
    channel: "IN_APP",
    render: (command) => renderInApp(command, options.channelPrefix),
    async send(rendered, command) {
      const replies = await redis
        .multi()
        .xadd(
          rendered.stream,
          "MAXLEN",
          "~",
          options.historySize,
          "*",
          "id",
          command.notificationId,
          "message",
          rendered.payload,
        )
        .publish(rendered.channel, rendered.payload)
        .exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error("redis transaction aborted");
      const entryId = replies[0]?.[1];
      return typeof entryId === "string" ? { providerMessageId: entryId } : {};
    },
    classify: classifyInApp,
    probe: () => pingRedis(redis),
  };
}
