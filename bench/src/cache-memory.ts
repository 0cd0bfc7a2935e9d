import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SubjectContext, SubjectInstance } from './context';
import { SubjectUnavailable } from './context';
import type { SessionItem } from './fixtures';
import { describeError, formatMb } from './format';
import { runConcurrent } from './load-runner';
import { canCollectGarbage, collectGarbage } from './memory';
import type { CacheMemoryResult } from './results';
import type { ContextHandle } from './servers';
import type { Subject } from './subjects';
import { expectOwned } from './verify';

/** After the last write, lets background work (a changes feed delivering the writes) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await nextTurn();
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/**
 * The heap `items` take in one instance: a fresh instance is built, a full GC is run and
 * heapUsed read; then every session is set and read once (so an in-process cache holds
 * it), and after another full GC the difference is the figure. Every read is checked.
 */
async function measureOne(
  subject: Subject,
  variant: string,
  create: (ctx: SubjectContext) => Promise<SubjectInstance>,
  handle: ContextHandle,
  items: readonly SessionItem[],
  concurrency: number,
): Promise<CacheMemoryResult> {
  const result: CacheMemoryResult = {
    subject: subject.name,
    variant,
    status: 'ok',
    sessions: items.length,
    cached: null,
    heapDelta: null,
  };
  let instance: SubjectInstance | undefined;
  try {
    instance = await create(handle.ctx);
    const { ops } = instance;
    await settle();
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    await runConcurrent(items.length, concurrency, (i) => ops.set(items[i] as SessionItem));
    await runConcurrent(items.length, concurrency, async (i) => {
      const item = items[i] as SessionItem;
      expectOwned(await ops.get(item.id), item, 'cache memory');
    });
    await settle();
    collectGarbage();
    result.heapDelta = process.memoryUsage().heapUsed - before;
    result.cached = subject.cacheProbe?.cached(instance) ?? null;
  } catch (err) {
    result.status = err instanceof SubjectUnavailable ? 'skipped' : 'failed';
    result.reason = describeError(err);
  } finally {
    try {
      await instance?.close();
      await handle.cleanup();
    } catch (err) {
      result.reason = `${result.reason ? `${result.reason}; ` : ''}cleanup: ${describeError(err)}`;
    }
  }
  return result;
}

/**
 * Measures, for a subject with a {@link Subject.cacheProbe}, the heap of `items` cached in a
 * fresh instance as the benchmark configures it, then in each variant (e.g. its cache off,
 * so that the difference is the cache's share).
 */
export async function measureCacheMemory(
  subject: Subject,
  contextFor: (name: string) => ContextHandle,
  items: readonly SessionItem[],
  concurrency: number,
  log: (line: string) => void,
): Promise<CacheMemoryResult[]> {
  const probe = subject.cacheProbe;
  if (!probe) return [];
  if (!canCollectGarbage) log('    (without --expose-gc the heap figures include garbage)');
  const runs = [{ name: 'as benchmarked', create: subject.create }, ...(probe.variants ?? [])];
  const results: CacheMemoryResult[] = [];
  for (const run of runs) {
    const result = await measureOne(
      subject,
      run.name,
      run.create,
      contextFor(subject.name),
      items,
      concurrency,
    );
    const figure =
      result.status === 'ok'
        ? `heap ${formatMb(result.heapDelta)}, ${result.cached} cached`
        : `${result.status.toUpperCase()}: ${result.reason}`;
    log(`    ${run.name.padEnd(24)} ${figure}`);
    results.push(result);
  }
  return results;
}
