/**
 * Tracks, per topic-partition, which fetched offsets are done so that only the contiguous
 * done prefix is ever committed. Messages of one partition may finish out of order (bounded
 * concurrency, retries); committing past an unfinished one would lose it on a crash.
 *
 * Offsets must be tracked in the order they were fetched (increasing per partition). Gaps
 * (compacted or transactional offsets) are fine: a commit is "the next offset to read".
 */
interface PartitionState {
  /** Fetched offsets in order; entries before `head` are done and forgotten. */
  queue: bigint[];
  head: number;
  done: Set<bigint>;
  highestTracked: bigint | undefined;
  /** Last offset that left the head of the queue (done, with everything before it). */
  lastDone: bigint | undefined;
  committed: bigint | undefined;
  /** When the done prefix last moved, or work arrived at an idle partition (ms epoch). */
  movedAt: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume, i.e. the value to commit. */
  offset: bigint;
}

const keyOf = (topic: string, partition: number) => `${partition}\u0000${topic}`;

export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionState & { topic: string; partition: number }>();

  /** Returns false when the offset was tracked before (re-fetched after a seek or rejoin). */
  track(topic: string, partition: number, offset: bigint): boolean {
    const key = keyOf(topic, partition);
    let state = this.#partitions.get(key);
    if (!state) {
      state = {
        topic,
        partition,
        queue: [],
        head: 0,
        done: new Set(),
        highestTracked: undefined,
        lastDone: undefined,
        committed: undefined,
        movedAt: Date.now(),
      };
      this.#partitions.set(key, state);
    }
    if (state.highestTracked !== undefined && offset <= state.highestTracked) {
      return false;
    }
    // An idle partition that gets work starts its stall clock now, not when it last moved.
    if (state.head === state.queue.length) state.movedAt = Date.now();
    state.queue.push(offset);
    state.highestTracked = offset;
    return true;
  }

  complete(topic: string, partition: number, offset: bigint): void {
    const state = this.#partitions.get(keyOf(topic, partition));
    if (!state) return; // partition was revoked meanwhile; its new owner re-processes
    state.done.add(offset);
    const before = state.head;
    while (state.head < state.queue.length && state.done.has(state.queue[state.head] as bigint)) {
      state.lastDone = state.queue[state.head] as bigint;
      state.done.delete(state.lastDone);
      state.head += 1;
    }
    if (state.head !== before) state.movedAt = Date.now();
    if (state.head > 1024 && state.head * 2 > state.queue.length) {
      state.queue = state.queue.slice(state.head);
      state.head = 0;
    }
  }

  /** The next offset to commit for a partition, or undefined when nothing is done yet. */
  committableOffset(topic: string, partition: number): bigint | undefined {
    const state = this.#partitions.get(keyOf(topic, partition));
    if (!state || state.lastDone === undefined) return undefined;
    return state.queue[state.head] ?? state.lastDone + 1n;
  }

  /** Partitions whose committable offset moved past what was last committed. */
  pendingCommits(): TopicPartitionOffset[] {
    const result: TopicPartitionOffset[] = [];
    for (const state of this.#partitions.values()) {
      const offset = this.committableOffset(state.topic, state.partition);
      if (offset !== undefined && (state.committed === undefined || offset > state.committed)) {
        result.push({ topic: state.topic, partition: state.partition, offset });
      }
    }
    return result;
  }

  markCommitted(topic: string, partition: number, offset: bigint): void {
    const state = this.#partitions.get(keyOf(topic, partition));
    if (state && (state.committed === undefined || offset > state.committed)) state.committed = offset;
  }

  /** Forget a partition (revoked): in-flight work for it will not be committed by us. */
  forget(topic: string, partition: number): void {
    this.#partitions.delete(keyOf(topic, partition));
  }

  /**
   * Partitions with tracked work whose done prefix (the commit position) has not moved for
   * `afterMs`: later records finishing around a stuck one do not count as progress, since
   * a restart would re-process them all from the stuck offset.
   */
  stalled(afterMs: number, now = Date.now()) {
    const result: Array<{ topic: string; partition: number; stalledMs: number; pending: number }> = [];
    for (const state of this.#partitions.values()) {
      const pending = state.queue.length - state.head;
      if (pending > 0 && now - state.movedAt >= afterMs) {
        result.push({
          topic: state.topic,
          partition: state.partition,
          stalledMs: now - state.movedAt,
          pending,
        });
      }
    }
    return result;
  }

  /** Restarts every stall clock (after a deliberate pause, which is not a stall). */
  touchAll(now = Date.now()): void {
    for (const state of this.#partitions.values()) state.movedAt = now;
  }

  /** Number of tracked offsets not yet done, across partitions. */
  inFlight(): number {
    let count = 0;
    for (const state of this.#partitions.values()) count += state.queue.length - state.head;
    return count;
  }
}
