import type { ServerResponse } from "node:http";
import type { InboxEntry } from "@fluxnotify/db/queries/inbox";
import type { InAppMessage, InboxEvent, UnreadState } from "@fluxnotify/shared/contracts";

/** Why a stream ended, as the metrics and logs say it. */
export type EndReason = "client" | "slow" | "shutdown" | "redis" | "error";

export interface ConnectionHooks {
  /** Items after `afterSeq`, oldest first (the inbox). */
  itemsAfter(afterSeq: number, limit: number): Promise<InboxEntry[]>;
  ended(connection: StreamConnection, reason: EndReason): void;
  /** A gap in the live events was filled from the inbox; `count` items sent from there. */
  filled(count: number): void;
}

export interface ConnectionLimits {
  /** Bytes a client may leave unread before it is dropped (backpressure, not a buffer). */
  maxBufferedBytes: number;
  /** Live events held while the inbox is read (a replay, a gap): more, and the client is dropped. */
  maxPendingEvents: number;
  /** Items read from the inbox per query while catching up. */
  pageSize: number;
}

const eventText = (seq: number, message: InAppMessage) =>
  `id: ${seq}\nevent: notification\ndata: ${JSON.stringify(message)}\n\n`;

/**
 * One client's Server-Sent Events stream (CONTRACT §4). It keeps the last seq it sent and
 * the version of the last count, so whatever reaches it (a replay, live events, the same
 * event twice, events out of order) it writes each notification once, in seq order, and
 * never an older count after a newer one. Since seqs have no gaps and a seq is handed out
 * only after every smaller one has committed, an event past `lastSeq + 1` means the items
 * in between are in the inbox: they are read from there and written first.
 */
export class StreamConnection {
  lastSeq = 0;
  private version = -1;
  lastWriteAt = Date.now();
  /** Non-null while the inbox is being read: live events wait here, in arrival order. */
  private pending: InboxEvent[] | null = null;
  private closed = false;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    readonly userId: string,
    private readonly res: ServerResponse,
    private readonly hooks: ConnectionHooks,
    private readonly limits: ConnectionLimits,
  ) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Holds live events until `start` has replayed what the client missed. */
  hold(): void {
    this.pending ??= [];
  }

  /**
   * The connect sequence: the missed items after `fromSeq` (none when `replay` is false:
   * a client without Last-Event-ID starts from the inbox's head), then the current count,
   * then what arrived meanwhile.
   */
  async start(head: UnreadState & { lastSeq: number }, fromSeq: number, replay: boolean): Promise<void> {
    this.hold();
    this.lastSeq = replay ? fromSeq : head.lastSeq;
    try {
      if (replay) await this.catchUp(Number.POSITIVE_INFINITY);
    } catch (error) {
      this.end("error");
      throw error;
    }
    this.writeUnread(head);
    this.release();
  }

  /** A live event from the user's channel. */
  deliver(event: InboxEvent): void {
    if (this.closed) return;
    if (this.pending) {
      if (this.pending.length >= this.limits.maxPendingEvents) this.end("slow");
      else this.pending.push(event);
      return;
    }
    if (this.isPastGap(event)) {
      this.pending = [event];
      void this.fillGap(event.seq);
      return;
    }
    this.apply(event);
  }

  /** A comment line, so proxies and clients see the stream alive while nothing else is sent. */
  heartbeat(now: number, everyMs: number): void {
    if (!this.closed && now - this.lastWriteAt >= everyMs) this.write(": keep-alive\n\n");
  }

  /** Lets go of a stream that never started (nothing was sent): the request is answered otherwise. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    this.hooks.ended(this, "error");
  }

  /** Ends the stream; `retryMs`: tells EventSource when to reconnect (to another process, say). */
  end(reason: EndReason, retryMs?: number): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    if (reason === "slow" || reason === "error") this.res.destroy();
    else this.res.end(retryMs === undefined ? undefined : `retry: ${Math.round(retryMs)}\n\n`);
    this.hooks.ended(this, reason);
  }

  private apply(event: InboxEvent): void {
    if (event.type === "notification" && event.seq > this.lastSeq) {
      this.write(eventText(event.seq, event.message));
      this.lastSeq = event.seq;
    }
    this.writeUnread(event.unread);
  }

  private writeUnread(unread: UnreadState): void {
    if (unread.version <= this.version) return;
    this.version = unread.version;
    this.write(`event: unread\ndata: {"unreadCount":${unread.unreadCount}}\n\n`);
  }

  /** The seq up to which the inbox was last read for a gap (it is not read twice for one). */
  private gapFilledTo = 0;

  private isPastGap(event: InboxEvent): event is InboxEvent & { type: "notification" } {
    return event.type === "notification" && event.seq > this.lastSeq + 1 && event.seq - 1 > this.gapFilledTo;
  }

  /** Reads the items before `seq` from the inbox (they are committed), then goes on with what waits. */
  private async fillGap(seq: number): Promise<void> {
    this.gapFilledTo = seq - 1;
    try {
      this.hooks.filled(await this.catchUp(seq - 1));
    } catch {
      this.end("error");
      return;
    }
    this.release();
  }

  /** Writes the inbox's items after `lastSeq`, up to `untilSeq`; how many it wrote. */
  private async catchUp(untilSeq: number): Promise<number> {
    let written = 0;
    while (!this.closed && this.lastSeq < untilSeq) {
      const want = Math.min(this.limits.pageSize, untilSeq - this.lastSeq);
      const entries = await this.hooks.itemsAfter(this.lastSeq, want);
      for (const { seq, item } of entries) {
        if (this.closed || seq > untilSeq) break;
        const { readAt: _readAt, ...message } = item;
        this.write(eventText(seq, message));
        this.lastSeq = seq;
        written += 1;
      }
      if (entries.length < want) break;
    }
    return written;
  }

  /**
   * Writes what waited, in order, until an event past a gap: that gap is filled from the
   * inbox first (and the rest waits again). A gap the inbox could not fill (only possible if
   * an item were removed from it) is skipped, not waited for: that would stall the stream.
   */
  private release(): void {
    while (this.pending && !this.closed) {
      const event = this.pending[0];
      if (event === undefined) break;
      if (this.isPastGap(event)) {
        void this.fillGap(event.seq);
        return;
      }
      this.pending.shift();
      this.apply(event);
    }
    this.pending = null;
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    this.lastWriteAt = Date.now();
    // A client that does not read has its bytes pile up here: drop it instead of holding
    // an unbounded buffer for it (it reconnects and resumes with Last-Event-ID).
    if (this.res.writableLength > this.limits.maxBufferedBytes) this.end("slow");
  }
}
