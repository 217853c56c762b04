import { createHash } from "node:crypto";
import { CHANNEL_DEFINITIONS } from "../channels/index";
import type { OutgoingMessage } from "../kafka/producer";
import { decodeUtf8, findUnstorableText } from "./json";
import {
  type ChannelCommand,
  channelCommandSchema,
  type DeliveryEvent,
  deliveryEventSchema,
} from "./messages";
import type { Channel } from "./topics";

/**
 * A record without its topic. The builders below say what a record holds; where it goes is
 * the caller's one decision (topics are configurable per deployment), so no record's topic
 * is set in one place and overwritten in another.
 */
export type RecordPayload = Omit<OutgoingMessage, "topic">;

/**
 * Deterministic notification id from (event, channel, destination): re-processing the
 * same event yields the same id, which is what channel workers deduplicate on. Shaped as a
 * UUID (v8, "custom") so it fits UUID columns and tooling.
 */
export function notificationIdFor(eventId: string, channel: Channel, destination: string): string {
  const hex = createHash("sha256").update(`${eventId}\u0000${channel}\u0000${destination}`).digest("hex");
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const HEADERS = {
  contentType: "content-type",
  messageVersion: "x-message-version",
  traceId: "x-trace-id",
  eventId: "x-event-id",
  notificationId: "x-notification-id",
} as const;

/** Channel commands are keyed by tenant and user so one user's notifications stay ordered. */
export function commandPayload(command: ChannelCommand): RecordPayload {
  return {
    key: `${command.tenantId}:${command.recipient.userId}`,
    value: JSON.stringify(command),
    headers: {
      [HEADERS.contentType]: "application/json",
      [HEADERS.messageVersion]: String(command.v),
      [HEADERS.traceId]: command.traceId,
      [HEADERS.eventId]: command.eventId,
      [HEADERS.notificationId]: command.notificationId,
    },
  };
}

/** Who a command's notification is shown as going to: one rule for every status of it. */
export const shownRecipient = (command: ChannelCommand): string =>
  command.display ?? CHANNEL_DEFINITIONS[command.channel].display(command.destination);

/** A status change of `command`'s notification; its identity fields come from the command. */
export function deliveryEventFor(
  command: ChannelCommand,
  change: Pick<DeliveryEvent, "status" | "recipient" | "at"> & Partial<DeliveryEvent>,
): DeliveryEvent {
  return {
    v: 1,
    notificationId: command.notificationId,
    channel: command.channel,
    tenantId: command.tenantId,
    userId: command.recipient.userId,
    eventId: command.eventId,
    eventType: command.eventType,
    createdAt: command.createdAt,
    traceId: command.traceId,
    ...change,
  };
}

/** Delivery events are keyed by notification id: all status changes of one notification stay ordered. */
export function deliveryEventPayload(event: DeliveryEvent): RecordPayload {
  return {
    key: event.notificationId,
    value: JSON.stringify(event),
    headers: {
      [HEADERS.contentType]: "application/json",
      [HEADERS.messageVersion]: String(event.v),
      [HEADERS.eventId]: event.eventId,
      [HEADERS.notificationId]: event.notificationId,
      ...(event.traceId ? { [HEADERS.traceId]: event.traceId } : {}),
    },
  };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseWith<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
  },
  value: Buffer | undefined,
  what: string,
): ParseResult<T> {
  if (!value || value.byteLength === 0) return { ok: false, reason: `${what} record has an empty value` };
  const text = decodeUtf8(value);
  if (text === undefined) return { ok: false, reason: `${what} is not valid UTF-8` };
  let json: unknown;
  try {
    // Our own messages carry decimals as strings already; plain JSON.parse is exact here.
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `${what} is not valid JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  if (result.success) {
    // Our topics can be written by anyone with access: refuse what the stores cannot hold.
    const unstorable = findUnstorableText(result.data, what.replaceAll(" ", "_"));
    if (unstorable) return { ok: false, reason: `invalid ${what}: ${unstorable}` };
    return { ok: true, value: result.data };
  }
  const problems = result.error.issues.map(
    (issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`,
  );
  return { ok: false, reason: `invalid ${what}: ${problems.join("; ")}` };
}

export const parseChannelCommand = (value: Buffer | undefined) =>
  parseWith<ChannelCommand>(channelCommandSchema, value, "channel command");

export const parseDeliveryEvent = (value: Buffer | undefined) =>
  parseWith<DeliveryEvent>(deliveryEventSchema, value, "delivery event");
