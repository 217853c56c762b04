import { inAppChannel } from "@fluxnotify/shared/contracts";
import type { HistoryItem } from "./query-api";

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])$/i;

export interface WhereToLook {
  tenantId: string;
  userId: string;
  email: string;
  slackWebhookUrl: string | undefined;
  /** Where the push stand-in lists what it received, decrypted; undefined = no browser. */
  pushUiUrl: string | undefined;
  /** Channels not waited for (DEMO_CHANNELS left them out). */
  skipped: string[];
  mailUiUrl: string;
  queryApiUrl: string;
  redisUrl: string;
  inAppPrefix: string;
  /** Pasted into the curl line; a token the demo was given is referred to, not printed. */
  tokenForCurl: string;
  /** The token was minted here (and expires in an hour), rather than given. */
  minted: boolean;
  delivered: HistoryItem[];
}

/** A word the shell takes as it is, quoted otherwise. */
const sh = (word: string) => (/^[\w.,:@%+/=-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

const count = (items: HistoryItem[], channel: HistoryItem["channel"]) =>
  items.filter((item) => item.channel === channel).length;

/** What to open to see each channel's result, every command ready to paste. */
export function whereToLook(w: WhereToLook): string {
  const slack = w.slackWebhookUrl === undefined ? undefined : new URL(w.slackWebhookUrl);
  // A loopback stand-in lists what it received at GET /; a real webhook's path is a secret.
  const slackLine = w.skipped.includes("SLACK")
    ? "not waited for (DEMO_CHANNELS): Slack webhooks must be https; set SLACK_WEBHOOK_URL_{TENANT} to a real one"
    : !slack
      ? "the tenant's operations channel (the user has no webhook of their own)"
      : LOOPBACK.test(slack.hostname)
        ? `${slack.origin}   the posts, newest first: ${slack.pathname} is ${w.userId}'s own webhook; ` +
          "the tenant's operations channel gets payment.failed too (bin/dev: /services/local)"
        : "the Slack channel behind the demo's webhook, and the tenant's operations channel";
  const redis = `redis-cli -u ${sh(w.redisUrl)}`;
  const history = `${w.queryApiUrl}/api/v1/notifications?limit=10`;
  // The token in the fragment: a browser never sends it to the server, and the page takes it
  // out of the address bar once read. A token the demo was given is not printed: pasted instead.
  const inbox = w.minted
    ? `${w.queryApiUrl}/inbox/#token=${w.tokenForCurl}`
    : `${w.queryApiUrl}/inbox/   (sign in with $DEMO_TOKEN)`;
  return [
    "",
    w.skipped.length === 0
      ? "every channel delivered; to see each result:"
      : "delivered; to see each result:",
    `  email   ${w.mailUiUrl}   ${count(w.delivered, "EMAIL")} emails to ${w.email}`,
    `  Slack   ${slackLine}`,
    `  in-app  ${inbox}`,
    `          the inbox in a browser, its badge live (${count(w.delivered, "IN_APP")} new in this run)`,
    `          live: ${redis} SUBSCRIBE ${sh(inAppChannel(w.inAppPrefix, w.tenantId, w.userId))}   (then run the demo again)`,
    `  push    ${
      w.pushUiUrl
        ? `${w.pushUiUrl}   ${count(w.delivered, "PUSH")} pushes to the demo browser, as it decrypted them`
        : "not waited for: no browser registered (DEMO_PUSH_BROWSER_URL=none)"
    }`,
    "  history (query-api, newest first):",
    `          curl -s -H "Authorization: Bearer ${w.tokenForCurl}" ${sh(history)}`,
    ...(w.minted
      ? [
          `          (the token expires in an hour; a fresh one: bin/token --user ${sh(w.userId)} --tenant ${sh(w.tenantId)})`,
        ]
      : []),
    "",
  ].join("\n");
}
