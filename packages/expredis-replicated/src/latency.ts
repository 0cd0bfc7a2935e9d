/**
 * Weight of a new round trip in the moving average. Small, so one hiccup (a GC pause, the
 * first command on a connection) does not make a server look slow; a server that is
 * really slower stands out at its first round trip all the same (50 ms → 5 ms estimate).
 */
const SAMPLE_WEIGHT = 0.1;
/** An estimate younger than this is taken as it is. */
const FRESH_MS = 1000;
/** After that, it halves every this many ms: a server no longer asked (as it was slow) is tried again later. */
const HALF_LIFE_MS = 1000;

/**
 * How long round trips to one server take: an exponentially weighted moving average of
 * every command sent to it (reads, writes, repairs), in ms, starting from 0 (a server not
 * measured yet is tried first). Reads ask the server with the lowest estimate first. A
 * server nobody asks is measured only by writes, so an old estimate fades: a server that
 * was slow once is tried again (one read, hedged) after a few seconds without writes.
 */
export class LatencyEstimate {
  private value = 0;
  /** When the last round trip ended (performance.now()); -1 before the first. */
  private measuredAt = -1;

  /** One round trip took `ms`, finishing at `now` (performance.now()). */
  record(ms: number, now: number): void {
    const base = this.current(now);
    this.value = base + SAMPLE_WEIGHT * (ms - base);
    this.measuredAt = now;
  }

  /** The estimate at `now`, in ms. */
  current(now: number): number {
    if (this.measuredAt < 0) return 0;
    const idle = now - this.measuredAt - FRESH_MS;
    return idle <= 0 ? this.value : this.value * 0.5 ** (idle / HALF_LIFE_MS);
  }
}
