/** One item's outcome in a batch: its own value or its own error. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions<I, O> {
  /** At most this many items per call of `run`. */
  maxBatch: number;
  /** Handles a batch; one outcome per item, in the items' order. A rejection fails them all. */
  run(items: I[]): Promise<Array<Settled<O>>>;
}

/**
 * Turns per-item calls into batches without a timer: the first item waits one turn of the
 * event loop (so items submitted together leave together), and while a batch is in flight
 * the next ones queue and leave as the next batch when it returns. With a channel worker's
 * N concurrent sends this batches by itself under load (up to N per batch) and costs one
 * `setImmediate` when idle, never a linger period. One batch is in flight at a time.
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  const queue: Waiting[] = [];
  let flying = false;
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (flying || queue.length === 0) return;
    flying = true;
    const batch = queue.splice(0, options.maxBatch);
    try {
      const outcomes = await options.run(batch.map((w) => w.item));
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (!outcome) waiting.reject(new Error("batch returned no outcome for an item"));
        else if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      flying = false;
      if (queue.length > 0) void flush();
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!flying && !scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}
