import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { minInsyncReplicasFor, type TopicSpec, topology } from "../src/contracts/index";
import { assertReplicationFits, createAdmin, TopicReplicationError } from "../src/kafka/index";
import { kafkaTest, testEnv } from "../src/testing/index";

describe("topology replication", () => {
  it("gives every topic the replication factor and the min ISR that goes with it", () => {
    for (const [rf, minIsr] of [
      [1, "1"],
      [3, "2"],
    ] as const) {
      const specs = topology({ replicationFactor: rf });
      expect(specs.length).toBeGreaterThan(10);
      for (const spec of specs) {
        expect(spec.replicationFactor).toBe(rf);
        expect(spec.configs?.["min.insync.replicas"]).toBe(minIsr);
      }
    }
    // Topic-specific configs are kept next to it.
    const originals = topology({ replicationFactor: 3 }).find((s) => s.name === "notification.dlq.originals");
    expect(originals?.configs?.["max.message.bytes"]).toBe(String(16 * 1024 * 1024));
  });

  it("keeps one replica's failure writable: min ISR is RF − 1 for 3, never above RF", () => {
    expect([1, 2, 3, 5].map(minInsyncReplicasFor)).toEqual([1, 1, 2, 2]);
  });

  it("refuses a replication factor above the brokers, naming the topic and the counts", () => {
    const specs = topology({ replicationFactor: 3 });
    expect(() => assertReplicationFits(specs, 3)).not.toThrow();
    expect(() => assertReplicationFits(specs, 1)).toThrow(TopicReplicationError);
    expect(() => assertReplicationFits(specs, 1)).toThrow(
      /replication factor 3 needs 3 brokers, the cluster has 1.*KAFKA_REPLICATION_FACTOR|KAFKA_REPLICATION_FACTOR.*replication factor 3 needs 3 brokers, the cluster has 1/,
    );
  });

  it("refuses a min ISR the replicas cannot meet", () => {
    const spec: TopicSpec = {
      name: "t",
      partitions: 1,
      replicationFactor: 2,
      configs: { "min.insync.replicas": "3" },
    };
    expect(() => assertReplicationFits([spec], 3)).toThrow(/min.insync.replicas 3 must be between 1 and/);
  });

  it("leaves specs without a replication factor to the broker's default", () => {
    expect(() => assertReplicationFits([{ name: "t", partitions: 1 }], 1)).not.toThrow();
  });
});

describe("creating replicated topics on a broker", () => {
  kafkaTest("refuses RF 3 on a single broker before creating anything", async ({ kafka }) => {
    const name = `test.rf3.${randomUUID().slice(0, 8)}`;
    await expect(
      kafka.admin.ensureTopics([{ name, partitions: 1, replicationFactor: 3 }]),
    ).rejects.toBeInstanceOf(TopicReplicationError);
    expect(await kafka.admin.listTopics()).not.toContain(name);
  });
});

// Runs with TEST_KAFKA_CLUSTER_BROKERS set to a three-node cluster (kafka.sh --nodes 3).
const cluster = testEnv().TEST_KAFKA_CLUSTER_BROKERS;
describe.skipIf(cluster.length === 0)("creating the topology on a three-broker cluster", () => {
  it("places three replicas of every partition, all in sync", async () => {
    const admin = createAdmin({ brokers: cluster, clientId: `test-${randomUUID().slice(0, 8)}` });
    const prefix = `test.rf.${Date.now().toString(36)}`;
    const specs = topology({ partitions: 2, replicationFactor: 3 })
      .slice(0, 3)
      .map((spec) => ({ ...spec, name: `${prefix}.${spec.name}` }));
    try {
      expect(await admin.ensureTopics(specs)).toEqual(specs.map((s) => s.name));
      const placement = await admin.placement(specs.map((s) => s.name));
      for (const spec of specs) {
        const partitions = placement.get(spec.name) ?? [];
        expect(partitions).toHaveLength(2);
        for (const p of partitions) {
          expect(new Set(p.replicas).size).toBe(3);
          expect(p.isr.sort()).toEqual([...p.replicas].sort());
        }
      }
      // Already there: nothing created the second time.
      expect(await admin.ensureTopics(specs)).toEqual([]);
    } finally {
      await admin.deleteTopics(specs.map((s) => s.name)).catch(() => {});
      await admin.close();
    }
  }, 60_000);
});
