import { DemoError } from "./demo-error";
import type { HistoryItem, QueryApi } from "./query-api";
import type { Expected } from "./story";

const POLL_MS = 300;
const keyOf = (item: { eventId: string; channel: string }) => `${item.eventId} ${item.channel}`;
const describe = (expected: Expected) => `${expected.channel} for ${expected.type}`;

/**
 * Polls the history until every expected notification shows SENT, reporting each one as it
 * does. SKIPPED or FAILED ends the wait at once with the reason; PENDING (a retry
 * scheduled, a provider down) is reported and waited out, up to `timeoutMs`.
 */
export async function waitUntilSent(
  api: QueryApi,
  expected: Expected[],
  options: { timeoutMs: number; report(line: string): void },
): Promise<HistoryItem[]> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const reported = new Set<string>();
  const wanted = new Map(expected.map((entry) => [keyOf(entry), entry]));
  let latest: HistoryItem[] = [];
  for (;;) {
    latest = (await api.history()).filter((item) => wanted.has(keyOf(item)));
    for (const item of latest) {
      const entry = wanted.get(keyOf(item)) as Expected;
      const line = `${item.channel.padEnd(6)} ${entry.type.padEnd(16)} ${item.status.padEnd(7)} ${item.recipient ?? ""}`;
      if (item.status === "SKIPPED" || item.status === "FAILED")
        throw new DemoError(
          `${describe(entry)} ended ${item.status}: ${item.reasonCode ?? ""} ${item.errorMessage ?? ""}`.trim(),
        );
      const seen = `${item.notificationId} ${item.status}`;
      if (reported.has(seen)) continue;
      reported.add(seen);
      options.report(
        item.status === "SENT" ? `${line}  ${elapsed()}` : `${line}  ${item.reasonCode ?? ""}: still waiting`,
      );
    }
    // Done when each has a SENT and nothing is still pending (a second Slack webhook, say).
    const waitingFor = [
      ...expected
        .filter((entry) => !latest.some((item) => keyOf(item) === keyOf(entry) && item.status === "SENT"))
        .map(describe),
      ...latest
        .filter((item) => item.status !== "SENT")
        .map(
          (item) =>
            `${describe(wanted.get(keyOf(item)) as Expected)} (${item.status} ${item.reasonCode ?? ""})`,
        ),
    ];
    if (waitingFor.length === 0) return latest;
    if (Date.now() - started > options.timeoutMs)
      throw new DemoError(
        `after ${elapsed()} the history still shows no SENT for: ${[...new Set(waitingFor)].join(", ")}.\n` +
          "  Are all six apps ready (bin/dev's table)? Their output says why a notification is late " +
          "(a payment waits for its order; a provider that is down pauses its channel).",
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
