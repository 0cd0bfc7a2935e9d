/** Memory figures of one subject, in bytes. */
export interface MemoryFigures {
  /** RSS after a full GC, before the subject was created. */
  rssStart: number;
  /** Highest RSS seen while the subject ran (RSS rarely shrinks: compare `rssGrowth`, not absolutes). */
  rssPeak: number;
  rssGrowth: number;
  /** Highest V8 heapUsed seen while the subject ran. */
  heapPeak: number;
  /** heapUsed after a full GC with the benchmark's sessions loaded, minus heapUsed at the start. */
  heapRetained: number | null;
}

const gcFunction = (globalThis as { gc?: () => void }).gc;

/** Whether node runs with --expose-gc (without it, memory figures include garbage). */
export const canCollectGarbage = typeof gcFunction === 'function';

/** Runs a full garbage collection when exposed; twice, so weak and finalised objects go too. */
export function collectGarbage(): void {
  gcFunction?.();
  gcFunction?.();
}

/**
 * Samples `process.memoryUsage()` every few milliseconds (and on demand, since a busy
 * in-process store can starve the timer) and keeps the peaks.
 */
export class MemorySampler {
  private readonly start: NodeJS.MemoryUsage;
  private rssPeak: number;
  private heapPeak: number;
  private retained: number | null = null;
  private readonly timer: NodeJS.Timeout;

  /** Collects garbage, records the starting point and begins sampling. */
  constructor(intervalMs = 20) {
    collectGarbage();
    this.start = process.memoryUsage();
    this.rssPeak = this.start.rss;
    this.heapPeak = this.start.heapUsed;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now. */
  sample(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.rssPeak) this.rssPeak = usage.rss;
    if (usage.heapUsed > this.heapPeak) this.heapPeak = usage.heapUsed;
  }

  /** Records the heap the loaded sessions keep alive (after a full GC). */
  markRetained(): void {
    this.sample();
    collectGarbage();
    this.retained = process.memoryUsage().heapUsed - this.start.heapUsed;
  }

  /** Stops sampling and returns the figures. */
  stop(): MemoryFigures {
    this.sample();
    clearInterval(this.timer);
    return {
      rssStart: this.start.rss,
      rssPeak: this.rssPeak,
      rssGrowth: this.rssPeak - this.start.rss,
      heapPeak: this.heapPeak,
      heapRetained: this.retained,
    };
  }
}
