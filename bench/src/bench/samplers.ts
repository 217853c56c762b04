import { readFileSync } from "node:fs";
import type { AppSpec } from "@fluxnotify/platform";
import { DOMAINS, type Domain, fluxpayTopic, INGEST_CONSUMER_GROUPS } from "@fluxnotify/shared/contracts";
import type { KafkaAdmin } from "@fluxnotify/shared/kafka";

/** VmHWM (peak) and VmRSS (now) of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid: number | undefined): { peakMiB: number; rssMiB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { peakMiB: Math.round(kib("VmHWM") / 1024), rssMiB: Math.round(kib("VmRSS") / 1024) };
  } catch {
    return undefined; // exited
  }
}

/** Peak RSS (VmHWM) per process, in MiB. */
export function peakRss(pids: Record<string, number | undefined>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const memory = memoryOf(pid);
    if (memory) result[name] = memory.peakMiB;
  }
  return result;
}

const LAG_LINE = /^kafka_consumer_lag\{([^}]*)\}\s+([0-9.eE+-]+)/;

/**
 * Consumer lag per group as each app reports it on /metrics (the broker's high watermark −
 * the group's committed offset, refreshed by the app every 10 s).
 */
export async function scrapeLag(apps: AppSpec[]): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  await Promise.all(
    apps.map(async (app) => {
      try {
        const response = await fetch(`http://127.0.0.1:${app.port}/metrics`, {
          signal: AbortSignal.timeout(2_000),
        });
        for (const line of (await response.text()).split("\n")) {
          const match = LAG_LINE.exec(line);
          const group = match?.[1] ? /group="([^"]+)"/.exec(match[1])?.[1] : undefined;
          if (match && group) lag[group] = (lag[group] ?? 0) + Number(match[2]);
        }
      } catch {
        // restarting or busy: no reading this round
      }
    }),
  );
  return lag;
}

// Labels in any order: every app's registry adds its `service` label beside `api`.
const REQUESTS_LINE = /^kafka_client_requests_total\{[^}]*\bapi="([^"]+)"[^}]*\}\s+([0-9.eE+-]+)/;

/** Kafka requests each app has sent so far, by API (kafka_client_requests_total on /metrics). */
export async function scrapeKafkaRequests(apps: AppSpec[]): Promise<Record<string, Record<string, number>>> {
  const byApp: Record<string, Record<string, number>> = {};
  await Promise.all(
    apps.map(async (app) => {
      try {
        const response = await fetch(`http://127.0.0.1:${app.port}/metrics`, {
          signal: AbortSignal.timeout(5_000),
        });
        const counts: Record<string, number> = byApp[app.name] ?? {};
        byApp[app.name] = counts;
        for (const line of (await response.text()).split("\n")) {
          const match = REQUESTS_LINE.exec(line);
          if (match?.[1]) counts[match[1]] = (counts[match[1]] ?? 0) + Number(match[2]);
        }
      } catch {
        // not answering: counted as nothing
      }
    }),
  );
  return byApp;
}

/** Requests per API over a run: `after` − `before`, summed over the apps, and per notification. */
export function kafkaRequestsOver(
  before: Record<string, Record<string, number>>,
  after: Record<string, Record<string, number>>,
  notifications: number,
): { total: Record<string, number>; perNotification: Record<string, number>; byApp: Record<string, number> } {
  const total: Record<string, number> = {};
  const byApp: Record<string, number> = {};
  for (const [app, counts] of Object.entries(after)) {
    for (const [api, count] of Object.entries(counts)) {
      const delta = count - (before[app]?.[api] ?? 0);
      total[api] = (total[api] ?? 0) + delta;
      byApp[app] = (byApp[app] ?? 0) + delta;
    }
  }
  const perNotification = Object.fromEntries(
    Object.entries(total)
      .sort((a, b) => b[1] - a[1])
      .map(([api, count]) => [api, Math.round((count / Math.max(1, notifications)) * 1000) / 1000]),
  );
  return { total, perNotification, byApp };
}

/**
 * Exact backlog of the FluxPay topics: records produced by this run so far minus what the
 * ingest groups committed since it started, read through the shared Kafka admin module.
 */
export async function sourceBacklog(
  admin: KafkaAdmin,
  produced: Record<Domain, number>,
  committedAtStart: Record<Domain, number>,
): Promise<number> {
  let backlog = 0;
  const committed = await committedSource(admin);
  for (const domain of DOMAINS) {
    backlog += Math.max(0, produced[domain] - (committed[domain] - committedAtStart[domain]));
  }
  return backlog;
}

/** FluxPay records the ingest groups have committed so far, per domain (a warm-up run's included). */
export async function committedSource(admin: KafkaAdmin): Promise<Record<Domain, number>> {
  const byDomain = {} as Record<Domain, number>;
  for (const domain of DOMAINS) {
    const committed = await admin.committedOffsets(INGEST_CONSUMER_GROUPS[domain], fluxpayTopic(domain));
    let done = 0n;
    for (const offset of committed.values()) if (offset > 0n) done += offset;
    byDomain[domain] = Number(done);
  }
  return byDomain;
}

export interface Sample {
  /** Seconds since the first event was produced. */
  t: number;
  produced: number;
  terminal: number;
  sent: number;
  /** FluxPay records not yet committed by the ingest groups. */
  sourceBacklog: number;
  /** Per consumer group, as the apps report it. */
  lag: Record<string, number>;
  rssMiB: Record<string, number>;
}
