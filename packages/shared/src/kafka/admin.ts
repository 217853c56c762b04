import type { TopicSpec } from "../contracts/topics";
import { Admin, baseClientOptions, findErrorBy, type KafkaConnection, ListOffsetTimestamps } from "./client";
import { assertReplicationFits } from "./replication";

/** The first and next offset of a partition (its log start and high watermark). */
export interface PartitionBounds {
  earliest: bigint;
  latest: bigint;
}

/** Where a partition lives, from cluster metadata (broker node ids). */
export interface PartitionPlacement {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface KafkaAdmin {
  /**
   * Creates the topics that do not exist yet; returns the names it created. Refuses
   * (TopicReplicationError) a replication the cluster cannot hold before creating any.
   */
  ensureTopics(specs: TopicSpec[]): Promise<string[]>;
  deleteTopics(names: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Partition count per topic, from cluster metadata. */
  describeTopics(names: string[]): Promise<Map<string, number>>;
  /** Leader, replicas and in-sync replicas of every partition of `topics`. */
  placement(topics: string[]): Promise<Map<string, PartitionPlacement[]>>;
  /** Committed offset per partition of a group (-1 where none). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /**
   * Deletes a consumer group and its committed offsets, so it next starts from its fallback
   * (earliest). The broker refuses while the group has members: stop its consumers first.
   */
  deleteGroup(groupId: string): Promise<void>;
  /** Earliest and latest offset of every partition of `topics` (which must exist). */
  partitionBounds(topics: string[]): Promise<Map<string, Map<number, PartitionBounds>>>;
  /** Committed offsets of several groups at once: group → topic → partition → offset. */
  groupOffsets(groupIds: string[]): Promise<Map<string, Map<string, Map<number, bigint>>>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** For a caller that must answer quickly (a dashboard): fewer retries, shorter timeouts. */
export interface AdminTimeouts {
  retries?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function createAdmin(connection: KafkaConnection, timeouts: AdminTimeouts = {}): KafkaAdmin {
  const base = baseClientOptions(connection);
  const admin = new Admin({
    ...base,
    retries: timeouts.retries ?? base.retries,
    connectTimeout: timeouts.connectTimeoutMs ?? base.connectTimeout,
    requestTimeout: timeouts.requestTimeoutMs ?? base.requestTimeout,
  });
  return {
    async ensureTopics(specs) {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.name));
      // The broker's own refusal (INVALID_REPLICATION_FACTOR) would come after the topics
      // before it were created, and names neither the brokers seen nor the setting to change.
      if (missing.some((s) => s.replicationFactor !== undefined)) {
        const cluster = await admin.metadata({ topics: [] });
        assertReplicationFits(missing, cluster.brokers.size);
      }
      const created: string[] = [];
      // One request per topic: the broker rejects a whole multi-topic request if any exists.
      for (const spec of missing) {
        try {
          await admin.createTopics({
            topics: [spec.name],
            partitions: spec.partitions,
            replicas: spec.replicationFactor ?? -1,
            configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
          });
          created.push(spec.name);
        } catch (error) {
          if (!findErrorBy(error as Error, "apiId", "TOPIC_ALREADY_EXISTS")) throw error;
        }
      }
      return created;
    },
    async deleteTopics(names) {
      if (names.length > 0) await admin.deleteTopics({ topics: names });
    },
    listTopics: () => admin.listTopics(),
    async describeTopics(names) {
      const metadata = await admin.metadata({ topics: names });
      return new Map([...metadata.topics].map(([name, topic]) => [name, topic.partitionsCount]));
    },
    async placement(topics) {
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      return new Map(
        [...metadata.topics].map(([name, topic]) => [
          name,
          topic.partitions.map((p, partition) => ({
            partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
          })),
        ]),
      );
    },
    async committedOffsets(groupId, topic) {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      const result = new Map<number, bigint>();
      for (const t of group?.topics ?? []) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) result.set(p.partitionIndex, p.committedOffset);
      }
      return result;
    },
    async deleteGroup(groupId) {
      try {
        await admin.deleteGroups({ groups: [groupId] });
      } catch (error) {
        if (findErrorBy(error as Error, "apiId", "GROUP_ID_NOT_FOUND")) return; // nothing to reset
        if (findErrorBy(error as Error, "apiId", "NON_EMPTY_GROUP")) {
          throw new Error(`consumer group ${groupId} still has active members; stop them first`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    async partitionBounds(topics) {
      const result = new Map<string, Map<number, PartitionBounds>>();
      if (topics.length === 0) return result;
      const metadata = await admin.metadata({ topics });
      const request = (timestamp: bigint) => ({
        topics: topics.map((name) => ({
          name,
          partitions: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, n) => ({
            partitionIndex: n,
            timestamp,
          })),
        })),
      });
      const [earliest, latest] = await Promise.all([
        admin.listOffsets(request(ListOffsetTimestamps.EARLIEST)),
        admin.listOffsets(request(ListOffsetTimestamps.LATEST)),
      ]);
      for (const topic of latest) {
        const partitions = new Map<number, PartitionBounds>();
        for (const p of topic.partitions) {
          partitions.set(p.partitionIndex, { earliest: p.offset, latest: p.offset });
        }
        result.set(topic.name, partitions);
      }
      for (const topic of earliest) {
        for (const p of topic.partitions) {
          const bounds = result.get(topic.name)?.get(p.partitionIndex);
          if (bounds) bounds.earliest = p.offset;
        }
      }
      return result;
    },
    async groupOffsets(groupIds) {
      const result = new Map<string, Map<string, Map<number, bigint>>>();
      if (groupIds.length === 0) return result;
      for (const group of await admin.listConsumerGroupOffsets({ groups: groupIds })) {
        const topics = new Map<string, Map<number, bigint>>();
        for (const t of group.topics) {
          topics.set(t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.committedOffset])));
        }
        result.set(group.groupId, topics);
      }
      return result;
    },
    async ping() {
      await admin.metadata({ topics: [] });
    },
    close: () => admin.close(),
  };
}

/** Polls cluster metadata until the broker answers or `timeoutMs` passes. */
export async function waitForKafka(connection: KafkaConnection, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    const admin = new Admin({ ...baseClientOptions(connection), retries: 0 });
    try {
      await admin.metadata({ topics: [] });
      return Date.now() - started;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await admin.close().catch(() => {});
    }
  }
  throw new Error(`Kafka at ${connection.brokers.join(",")} not reachable after ${timeoutMs} ms`, {
    cause: lastError,
  });
}
