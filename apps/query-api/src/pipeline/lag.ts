import type { ConsumerGroupSpec } from "@fluxnotify/shared/contracts";
import type { KafkaAdmin, PartitionBounds } from "@fluxnotify/shared/kafka";

export interface TopicLag {
  topic: string;
  /** Records not yet committed by the group; null when it could not be measured. */
  lag: number | null;
}

export interface GroupLag {
  group: string;
  /** Sum over its topics; null when any of them could not be measured (`error` says why). */
  lag: number | null;
  topics: TopicLag[];
  error?: string;
}

/**
 * A partition's lag from the broker's view. Committed below the log start (retention
 * removed what it had not read) counts from the log start, where the group will resume;
 * no commit at all counts everything retained for a group that starts at the earliest
 * offset, nothing for one that starts at the end.
 */
function partitionLag(bounds: PartitionBounds, committed: bigint | undefined, spec: ConsumerGroupSpec) {
  if (committed === undefined || committed < 0n) {
    return spec.startFrom === "latest" ? 0 : Number(bounds.latest - bounds.earliest);
  }
  const from = committed > bounds.earliest ? committed : bounds.earliest;
  return Math.max(0, Number(bounds.latest - from));
}

const sum = (values: Array<number | null>) =>
  values.some((value) => value === null) ? null : values.reduce<number>((total, n) => total + (n ?? 0), 0);

/**
 * Lag of every group in `groups`, in four broker requests whatever their number (topic
 * list, metadata, earliest and latest offsets, committed offsets of all groups). A topic
 * missing on the broker is reported with lag null and the group's `error`; a failing
 * broker rejects, for the caller to report.
 */
export async function measureLag(admin: KafkaAdmin, groups: ConsumerGroupSpec[]): Promise<GroupLag[]> {
  const wanted = [...new Set(groups.flatMap((group) => group.topics))];
  const existing = new Set(await admin.listTopics());
  const present = wanted.filter((topic) => existing.has(topic));
  const [bounds, committed] = await Promise.all([
    admin.partitionBounds(present),
    admin.groupOffsets(groups.map((group) => group.group)),
  ]);
  return groups.map((spec) => {
    const offsets = committed.get(spec.group);
    const missing: string[] = [];
    const topics = spec.topics.map((topic): TopicLag => {
      const partitions = bounds.get(topic);
      if (!partitions) {
        missing.push(topic);
        return { topic, lag: null };
      }
      let lag = 0;
      for (const [partition, partitionBounds] of partitions) {
        lag += partitionLag(partitionBounds, offsets?.get(topic)?.get(partition), spec);
      }
      return { topic, lag };
    });
    const lag = sum(topics.map((topic) => topic.lag));
    return {
      group: spec.group,
      lag,
      topics,
      ...(missing.length > 0 ? { error: `topic not on the broker: ${missing.join(", ")}` } : {}),
    };
  });
}
