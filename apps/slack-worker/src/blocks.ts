import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { notificationCopy } from "@fluxnotify/shared/delivery";

/** Slack's own escaping for mrkdwn/plain text: only &, < and > are control characters. */
export const escapeSlack = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const ICON = { info: "ℹ️", success: "✅", warning: "⚠️", error: "🚨" } as const;

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** Block Kit message: header, summary, up to 10 fields (Slack's limit), context line; `text` is the fallback. */
export function renderSlack(command: ChannelCommand): SlackMessage {
  const copy = notificationCopy({
    eventType: command.eventType,
    data: command.templateData,
    locale: command.recipient.locale,
    timeZone: command.recipient.timeZone,
  });
  const title = `${ICON[copy.tone]} ${copy.title}`;
  const fields = copy.fields.slice(0, 10).map((field) => ({
    type: "mrkdwn",
    text: `*${escapeSlack(field.label)}*\n${escapeSlack(field.value)}`,
  }));
  const blocks: Array<Record<string, unknown>> = [
    { type: "header", text: { type: "plain_text", text: title.slice(0, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: escapeSlack(copy.summary) } },
  ];
  if (fields.length > 0) blocks.push({ type: "section", fields });
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: escapeSlack(`${command.tenantId} · ${command.eventType} · ${command.notificationId}`),
      },
    ],
  });
  return { text: escapeSlack(`${copy.title}: ${copy.summary}`), blocks };
}
