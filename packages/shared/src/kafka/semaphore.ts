/** Counting semaphore whose waiters can all be released (with `false`) on shutdown. */
export class Semaphore {
  #available: number;
  #waiters: Array<(acquired: boolean) => void> = [];
  #closed = false;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1)
      throw new RangeError(`permits must be >= 1, got ${permits}`);
    this.#available = permits;
  }

  acquire(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#available > 0) {
      this.#available -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next(true);
    else this.#available += 1;
  }

  /** Refuses new acquisitions and wakes every waiter with `false`. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter(false);
  }
}

/** A gate that is open or closed; `wait()` resolves when it is open (or is cancelled). */
export class Gate {
  #open = true;
  #waiters: Array<() => void> = [];

  get isOpen(): boolean {
    return this.#open;
  }

  close(): void {
    this.#open = false;
  }

  open(): void {
    this.#open = true;
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}
