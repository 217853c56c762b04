import type { Sql } from "@fluxnotify/db";
import { CHANNELS, type Channel } from "@fluxnotify/shared/contracts";
import type { PlannedEvent, Population } from "../workload/index";
import { type ExpectedNotification, expectedForAll } from "./expected";
import { observe, type Verdict, verdictOf } from "./outcome";
import { countReceipts, duplicatesOf, type Receipts } from "./receipts";

type Tally = Record<Verdict, number> & { expected: number };

export interface LedgerReport {
  events: number;
  /** Expected notifications: one per (event, channel, destination); SKIPPED ones included. */
  expected: number;
  sent: number;
  skipped: number;
  deadLettered: number;
  lost: number;
  /** Of the dead-lettered, how many the workload planned (bouncing addresses). */
  plannedDeadLetters: number;
  /** Ended terminal, but not in the status the routing rules call for. */
  mismatched: number;
  duplicates: Record<Channel, number> & { total: number };
  /** SENT in the read model but never received by the stand-in (should be 0). */
  unconfirmed: Record<Channel, number>;
  byChannel: Record<Channel, Tally>;
  samples: { lost: string[]; mismatched: string[] };
}

const VERDICT_STATUS: Record<Verdict, string> = {
  sent: "SENT",
  skipped: "SKIPPED",
  deadLettered: "FAILED",
  lost: "LOST",
};

const emptyTally = (): Tally => ({ expected: 0, sent: 0, skipped: 0, deadLettered: 0, lost: 0 });

/**
 * The whole-run check: every expected notification must be SENT, SKIPPED or dead-lettered
 * with a reason (zero lost); duplicates are counted from what the stand-ins received.
 */
const perChannel = <T>(make: () => T) =>
  Object.fromEntries(CHANNELS.map((channel) => [channel, make()])) as Record<Channel, T>;

export async function checkLedger(input: {
  sql: Sql;
  population: Population;
  events: PlannedEvent[];
  receipts: Receipts;
  expected?: ExpectedNotification[];
}): Promise<LedgerReport> {
  const expected = input.expected ?? expectedForAll(input.events, input.population);
  const observed = await observe(
    input.sql,
    input.population.tenants.map((t) => t.id),
    input.events.map((e) => e.id),
  );
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, emptyTally()])) as Record<Channel, Tally>;
  const total = emptyTally();
  const samples: LedgerReport["samples"] = { lost: [], mismatched: [] };
  let mismatched = 0;
  let plannedDeadLetters = 0;
  for (const item of expected) {
    const verdict = verdictOf(item, observed);
    byChannel[item.channel][verdict]++;
    byChannel[item.channel].expected++;
    total[verdict]++;
    if (verdict === "deadLettered" && item.expected === "FAILED") plannedDeadLetters++;
    if (verdict === "lost" && samples.lost.length < 10) {
      const row = observed.log.get(item.notificationId);
      samples.lost.push(
        `${item.channel} ${item.notificationId} event ${item.eventId}: ${row?.status ?? "no row"}`,
      );
    } else if (verdict !== "lost" && VERDICT_STATUS[verdict] !== item.expected) {
      mismatched++;
      if (samples.mismatched.length < 10)
        samples.mismatched.push(
          `${item.channel} ${item.notificationId}: expected ${item.expected}, got ${VERDICT_STATUS[verdict]}`,
        );
    }
  }
  const ids = new Set(expected.map((item) => item.notificationId));
  const counts = countReceipts(input.receipts, (id) => ids.has(id)).byChannel;
  const duplicates = { ...perChannel(() => 0), total: 0 };
  const unconfirmed = perChannel(() => 0);
  for (const channel of CHANNELS) {
    duplicates[channel] = duplicatesOf(counts[channel]);
    duplicates.total += duplicates[channel];
  }
  for (const item of expected) {
    if (
      observed.log.get(item.notificationId)?.status === "SENT" &&
      !counts[item.channel].has(item.notificationId)
    )
      unconfirmed[item.channel]++;
  }
  return {
    events: input.events.length,
    expected: expected.length,
    sent: total.sent,
    skipped: total.skipped,
    deadLettered: total.deadLettered,
    lost: total.lost,
    plannedDeadLetters,
    mismatched,
    duplicates,
    unconfirmed,
    byChannel,
    samples,
  };
}
