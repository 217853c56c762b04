import { describe, expect, it } from "vitest";
import { OffsetTracker } from "../src/kafka/offset-tracker";

describe("OffsetTracker", () => {
  it("commits nothing until the first fetched offset is done", () => {
    const tracker = new OffsetTracker();
    for (const offset of [10n, 11n, 12n]) tracker.track("t", 0, offset);
    tracker.complete("t", 0, 12n);
    tracker.complete("t", 0, 11n);
    expect(tracker.pendingCommits()).toEqual([]);
    tracker.complete("t", 0, 10n);
    expect(tracker.pendingCommits()).toEqual([{ topic: "t", partition: 0, offset: 13n }]);
  });

  it("commits only the contiguous done prefix when work finishes out of order", () => {
    const tracker = new OffsetTracker();
    for (let offset = 0n; offset < 6n; offset++) tracker.track("t", 1, offset);
    for (const offset of [0n, 1n, 3n, 4n]) tracker.complete("t", 1, offset);
    expect(tracker.committableOffset("t", 1)).toBe(2n);
    tracker.complete("t", 1, 2n);
    expect(tracker.committableOffset("t", 1)).toBe(5n);
    expect(tracker.inFlight()).toBe(1);
  });

  it("handles offset gaps (compaction, transaction markers)", () => {
    const tracker = new OffsetTracker();
    for (const offset of [3n, 7n, 20n]) tracker.track("t", 0, offset);
    tracker.complete("t", 0, 3n);
    expect(tracker.committableOffset("t", 0)).toBe(7n);
    tracker.complete("t", 0, 20n);
    tracker.complete("t", 0, 7n);
    expect(tracker.committableOffset("t", 0)).toBe(21n);
  });

  it("reports a partition again only after its offset moves past the last commit", () => {
    const tracker = new OffsetTracker();
    tracker.track("t", 0, 0n);
    tracker.complete("t", 0, 0n);
    const [first] = tracker.pendingCommits();
    expect(first?.offset).toBe(1n);
    tracker.markCommitted("t", 0, 1n);
    expect(tracker.pendingCommits()).toEqual([]);
    tracker.track("t", 0, 1n);
    expect(tracker.pendingCommits()).toEqual([]);
    tracker.complete("t", 0, 1n);
    expect(tracker.pendingCommits()).toEqual([{ topic: "t", partition: 0, offset: 2n }]);
  });

  it("keeps partitions and topics independent, and forgets revoked ones", () => {
    const tracker = new OffsetTracker();
    tracker.track("a", 0, 5n);
    tracker.track("b", 0, 9n);
    tracker.track("a", 1, 1n);
    tracker.complete("b", 0, 9n);
    tracker.complete("a", 1, 1n);
    tracker.forget("a", 1);
    expect(tracker.pendingCommits()).toEqual([{ topic: "b", partition: 0, offset: 10n }]);
    tracker.complete("a", 1, 2n); // completion for a forgotten partition is ignored
    expect(tracker.inFlight()).toBe(1);
  });

  it("ignores offsets fetched again after a seek", () => {
    const tracker = new OffsetTracker();
    tracker.track("t", 0, 0n);
    tracker.track("t", 0, 1n);
    tracker.track("t", 0, 0n);
    tracker.complete("t", 0, 0n);
    tracker.complete("t", 0, 1n);
    expect(tracker.committableOffset("t", 0)).toBe(2n);
    expect(tracker.inFlight()).toBe(0);
  });

  it("stays correct across queue compaction with many offsets", () => {
    const tracker = new OffsetTracker();
    for (let offset = 0n; offset < 5000n; offset++) tracker.track("t", 0, offset);
    for (let offset = 4999n; offset >= 1n; offset--) tracker.complete("t", 0, offset);
    expect(tracker.committableOffset("t", 0)).toBeUndefined();
    tracker.complete("t", 0, 0n);
    expect(tracker.committableOffset("t", 0)).toBe(5000n);
    for (let offset = 5000n; offset < 7000n; offset++) tracker.track("t", 0, offset);
    for (let offset = 5000n; offset < 6500n; offset++) tracker.complete("t", 0, offset);
    expect(tracker.committableOffset("t", 0)).toBe(6500n);
  });
});
