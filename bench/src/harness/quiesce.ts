import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "@fluxnotify/db";
import { countTerminal } from "../ledger/index";

export interface QuiesceOptions {
  sql: Sql;
  tenantIds: string[];
  /** Terminal rows the read model must show (expected notifications). */
  target: number;
  /** Hard bound: give up after this long. */
  timeoutMs: number;
  /** Also give up when nothing moved for this long (the rest is lost or stuck). */
  stallMs: number;
  pollMs?: number;
  onTick?: (progress: { terminal: number; sent: number }) => void;
}

export interface QuiesceResult {
  complete: boolean;
  terminal: number;
  sent: number;
  /** Why waiting stopped. */
  reason: "complete" | "stalled" | "timeout";
  waitedMs: number;
}

/**
 * Waits until the read model shows every expected notification in a terminal status, or
 * nothing has progressed for `stallMs`, or `timeoutMs` passed: never hangs.
 */
export async function waitForQuiescence(options: QuiesceOptions): Promise<QuiesceResult> {
  const started = Date.now();
  let last = { terminal: -1, sent: -1 };
  let lastChange = Date.now();
  for (;;) {
    let progress = last;
    try {
      progress = await countTerminal(options.sql, options.tenantIds);
    } catch {
      // PostgreSQL restarting: keep the last reading, the stall timer keeps running.
    }
    options.onTick?.(progress);
    if (progress.terminal !== last.terminal || progress.sent !== last.sent) lastChange = Date.now();
    last = progress;
    const waitedMs = Date.now() - started;
    if (progress.terminal >= options.target)
      return { complete: true, ...progress, reason: "complete", waitedMs };
    if (Date.now() - lastChange > options.stallMs)
      return { complete: false, ...progress, reason: "stalled", waitedMs };
    if (waitedMs > options.timeoutMs) return { complete: false, ...progress, reason: "timeout", waitedMs };
    await sleep(options.pollMs ?? 1_000);
  }
}
