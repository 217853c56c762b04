import { inject, vi } from "vitest";
import "./provided";
import type { Observed } from "./observed";

/** What the SMTP server, the Slack stand-in and Redis subscribers received so far. */
export async function observed(): Promise<Observed> {
  const response = await fetch(`${inject("e2eSinkControl")}/observed`);
  if (!response.ok) throw new Error(`sink control answered ${response.status}`);
  return (await response.json()) as Observed;
}

/** A browser's PushSubscription made by the push stand-in (which can then decrypt for it). */
export async function newBrowser(): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> {
  const response = await fetch(`${inject("e2eSinkControl")}/push/browsers`, { method: "POST" });
  if (!response.ok) throw new Error(`sink control answered ${response.status}`);
  return (await response.json()) as { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** Retries `check` (which throws until satisfied) until it passes or `timeoutMs` runs out. */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 250 });
}

/** One line a failure message can point to. */
export const logHint = () => `app logs: ${inject("e2eLogDir")}`;
