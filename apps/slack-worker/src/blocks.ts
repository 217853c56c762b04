import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { cleanText, FIELDS_MAX, notificationCopy, truncate } from "@fluxnotify/shared/delivery";

/** Slack's own escaping for mrkdwn/plain text: only &, < and > are control characters. */
export const escapeSlack = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Block Kit limits (docs.slack.dev/reference/block-kit/blocks): a header's text 150
 * characters; a section's text 3,000; a section at most 10 fields of 2,000 each; a
 * context block at most 10 elements; 50 blocks a message. Slack also refuses a message
 * whose blocks hold more than about 13,000 characters in all (`msg_blocks_too_long`,
 * undocumented, slackapi/bolt-js#2509), so fields get 800 each: 150 + 3,000 + 10 × 800 +
 * 500 = 11,650. The top-level `text` is the notification fallback; Slack asks for at
 * most 4,000 characters there (chat.postMessage, "Truncating content").
 *
 * The limits apply to the text as sent, after escaping, and Slack does not say whether
 * it counts code points or UTF-16 units; each code point is counted as its escaped UTF-16
 * length, which is never less than either, so a message is never refused as too long.
 */
export const SLACK_LIMITS = {
  header: 150,
  sectionText: 3_000,
  field: 800,
  context: 500,
  text: 4_000,
} as const;

const ICON = { info: "ℹ️", success: "✅", warning: "⚠️", error: "🚨" } as const;

const sentLength = (codePoint: string) => escapeSlack(codePoint).length;
/** Plain text bounded to `max` as Slack measures it. */
const bounded = (value: string, max: number) => truncate(value, max, sentLength);
/** Escaped mrkdwn bounded to `max`; cut before escaping, so no entity is ever split. */
const escaped = (value: string, max: number) => escapeSlack(bounded(value, max));

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** Block Kit message: header, summary, up to 10 fields, context line; `text` is the fallback. */
export function renderSlack(command: ChannelCommand): SlackMessage {
  const copy = notificationCopy({
    eventType: command.eventType,
    data: command.templateData,
    locale: command.recipient.locale,
    timeZone: command.recipient.timeZone,
  });
  const fields = copy.fields.slice(0, FIELDS_MAX).map((field) => {
    const label = `*${escapeSlack(field.label)}*\n`;
    return { type: "mrkdwn", text: `${label}${escaped(field.value, SLACK_LIMITS.field - label.length)}` };
  });
  const blocks: Array<Record<string, unknown>> = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: bounded(`${ICON[copy.tone]} ${copy.title}`, SLACK_LIMITS.header),
        emoji: true,
      },
    },
    { type: "section", text: { type: "mrkdwn", text: escaped(copy.summary, SLACK_LIMITS.sectionText) } },
  ];
  if (fields.length > 0) blocks.push({ type: "section", fields });
  // The tenant id comes from the event envelope: cleaned like every other value users read.
  const reference = cleanText(`${command.tenantId} · ${command.eventType} · ${command.notificationId}`);
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: escaped(reference, SLACK_LIMITS.context) }],
  });
  return { text: escaped(`${copy.title}: ${copy.summary}`, SLACK_LIMITS.text), blocks };
}
