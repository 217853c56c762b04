import type { TopicSpec } from "../contracts/topics";
import { AppError } from "../errors";

/** A topic asks for more copies than the cluster has brokers (or a min ISR it cannot meet). */
export class TopicReplicationError extends AppError {
  constructor(message: string) {
    super("TOPIC_REPLICATION_INVALID", message);
  }
}

/**
 * Checks, before anything is created, that every spec's replication fits a cluster of
 * `brokers` live brokers: RF ≤ brokers, and 1 ≤ min.insync.replicas ≤ RF (a min ISR above
 * RF would make every acks=all write fail with NOT_ENOUGH_REPLICAS).
 */
export function assertReplicationFits(specs: TopicSpec[], brokers: number): void {
  const problems: string[] = [];
  for (const spec of specs) {
    const rf = spec.replicationFactor;
    if (rf === undefined) continue;
    if (!Number.isInteger(rf) || rf < 1) problems.push(`${spec.name}: replication factor ${rf} is not ≥ 1`);
    else if (rf > brokers)
      problems.push(`${spec.name}: replication factor ${rf} needs ${rf} brokers, the cluster has ${brokers}`);
    const minIsr = spec.configs?.["min.insync.replicas"];
    if (minIsr !== undefined && rf !== undefined && !(Number(minIsr) >= 1 && Number(minIsr) <= rf))
      problems.push(
        `${spec.name}: min.insync.replicas ${minIsr} must be between 1 and the replication factor ${rf}`,
      );
  }
  if (problems.length === 0) return;
  throw new TopicReplicationError(
    `cannot create ${problems.length === 1 ? "a topic" : `${problems.length} topics`} as configured ` +
      `(lower KAFKA_REPLICATION_FACTOR or point KAFKA_BROKERS at a larger cluster): ` +
      problems.slice(0, 3).join("; ") +
      (problems.length > 3 ? `; and ${problems.length - 3} more` : ""),
  );
}
