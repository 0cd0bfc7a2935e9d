/** A timed batch of operations, summarised. Latencies in milliseconds. */
export interface Summary {
  /** Operations (or calls) timed. */
  count: number;
  /** Wall time of the whole batch, ms. */
  elapsedMs: number;
  /** count / elapsed seconds. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** With several rounds: every round's rate (the figure above is the median round's). */
  roundRates?: number[];
}

/** Raw measurements of a batch: one latency per operation, and the batch's wall time. */
export interface Timing {
  latencies: Float64Array;
  elapsedMs: number;
}

/** The `p`-th percentile (0-100) of ascending `sorted`, nearest-rank. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Summarises per-operation latencies measured over `elapsedMs` of wall time. */
export function summarize(latencies: Float64Array, elapsedMs: number): Summary {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    elapsedMs,
    perSecond: sorted.length / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}

/** Summarises batches run one after the other as if they were one (their wall times add up). */
export function summarizeTimings(timings: readonly Timing[]): Summary {
  const total = timings.reduce((n, t) => n + t.latencies.length, 0);
  const all = new Float64Array(total);
  let offset = 0;
  for (const t of timings) {
    all.set(t.latencies, offset);
    offset += t.latencies.length;
  }
  return summarize(
    all,
    timings.reduce((ms, t) => ms + t.elapsedMs, 0),
  );
}
