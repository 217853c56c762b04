import type { AppName } from "@fluxnotify/platform/apps";
import { E2E } from "./resources";

/** The work an app's consumers have yet to do: lag plus records in flight, from its /metrics. */
async function backlog(app: AppName): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${E2E.ports[app]}/metrics`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^kafka_consumer_(?:lag|in_flight)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match) total += Math.max(0, Number(match[1]) || 0);
  }
  return total;
}

/**
 * Waits (at most `timeoutMs`, then goes on) until these apps' consumers have nothing left to
 * do on two looks in a row: the files run side by side, and a latency measured while another
 * file floods the same workers would be that file's, not the platform's.
 */
export async function waitForQuietConsumers(apps: AppName[], timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quietLooks = 0;
  while (Date.now() < deadline) {
    const totals = await Promise.all(apps.map(backlog));
    quietLooks = totals.every((total) => total === 0) ? quietLooks + 1 : 0;
    if (quietLooks >= 2) return true;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return false;
}
