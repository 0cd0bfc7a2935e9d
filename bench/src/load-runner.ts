import { performance } from 'node:perf_hooks';
import { type Summary, summarize, type Timing } from './stats';

/**
 * Runs `op(0..count-1)` with `concurrency` operations in flight (each worker starts the
 * next index as soon as its previous operation settles) and times each one.
 * The first error stops every worker and is rethrown.
 */
export async function runConcurrent(
  count: number,
  concurrency: number,
  op: (index: number) => Promise<void>,
): Promise<Timing> {
  const latencies = new Float64Array(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const index = next++;
      if (index >= count) return;
      const start = performance.now();
      try {
        await op(index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      latencies[index] = performance.now() - start;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsed = performance.now() - start;
  if (failure) throw failure.error;
  return { latencies, elapsedMs: elapsed };
}

/**
 * Calls `op` one at a time until both `minCalls` calls and `minMs` have passed (or
 * `maxCalls` calls), timing each call. `before` and `after` run untimed around every
 * call (e.g. reloading sessions before a `clear`, checking the result after it).
 */
export async function runSequential(
  op: () => Promise<void>,
  limits: { minCalls: number; minMs: number; maxCalls: number },
  hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {},
): Promise<Summary> {
  const latencies: number[] = [];
  let timedMs = 0;
  while (
    latencies.length < limits.maxCalls &&
    (latencies.length < limits.minCalls || timedMs < limits.minMs)
  ) {
    await hooks.before?.();
    const start = performance.now();
    await op();
    const took = performance.now() - start;
    latencies.push(took);
    timedMs += took;
    await hooks.after?.();
  }
  return summarize(Float64Array.from(latencies), timedMs);
}
