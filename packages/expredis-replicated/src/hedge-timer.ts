/** A read waiting for its hedge delay: the timer links the reads it holds through these fields. */
export interface Hedged {
  /** When to hedge, in performance.now() time; set by {@link HedgeTimer.add}. */
  hedgeAt: number;
  /** Whether it is in a timer's list; the neighbours in that list. */
  hedgeQueued: boolean;
  hedgePrevious: Hedged | undefined;
  hedgeNext: Hedged | undefined;
  /** The delay ran out. */
  hedge(): void;
}

/**
 * The hedge delays of every read under way, on one timer: a Node.js timer each would cost
 * about as much as the rest of a read. A read leaves the list as soon as it is decided, so
 * the list holds only the reads in flight, and never keeps a finished read (and the
 * session it returned) alive: objects that outlive a young-generation collection make
 * every collection slower.
 */
export class HedgeTimer {
  private first: Hedged | undefined;
  private last: Hedged | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  /** The timer fired and the sweep is to run (it schedules the next timer). */
  private sweepPending = false;

  /** Calls `read.hedge()` at `at` (performance.now() time), unless it is {@link remove}d before. */
  add(read: Hedged, at: number): void {
    read.hedgeAt = at;
    read.hedgeQueued = true;
    read.hedgePrevious = this.last;
    read.hedgeNext = undefined;
    if (this.last) this.last.hedgeNext = read;
    else this.first = read;
    this.last = read;
    if (this.timer === undefined) {
      if (!this.sweepPending) this.schedule(at);
    } else if (at < this.timerAt) {
      clearTimeout(this.timer);
      this.schedule(at);
    }
  }

  /** Takes a read out of the list (it was decided, or asked every server anyway). */
  remove(read: Hedged): void {
    if (!read.hedgeQueued) return;
    const { hedgePrevious: previous, hedgeNext: next } = read;
    if (previous) previous.hedgeNext = next;
    else this.first = next;
    if (next) next.hedgePrevious = previous;
    else this.last = previous;
    read.hedgeQueued = false;
    read.hedgePrevious = undefined;
    read.hedgeNext = undefined;
  }

  private schedule(at: number): void {
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - performance.now()));
    // The reads' own round trips keep the process alive while it matters; this timer must not.
    this.timer.unref();
  }

  /**
   * Timers run before the event loop reads the sockets: when the process was busy, answers
   * that came in time may be waiting there. So the reads are hedged after that, in the
   * loop's check phase, once those answers have decided them.
   */
  private readonly fire = (): void => {
    this.timer = undefined;
    this.sweepPending = true;
    setImmediate(this.sweep);
  };

  private readonly sweep = (): void => {
    this.sweepPending = false;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    let read = this.first;
    while (read) {
      const following = read.hedgeNext;
      if (read.hedgeAt <= now) {
        this.remove(read);
        read.hedge();
      } else if (read.hedgeAt < next) {
        next = read.hedgeAt;
      }
      read = following;
    }
    if (next !== Number.POSITIVE_INFINITY && this.timer === undefined) this.schedule(next);
  };
}
