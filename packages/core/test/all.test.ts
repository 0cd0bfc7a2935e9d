import { describe, expect, test } from '@jest/globals';
import { MemoryStore, type SessionData } from '../src';

const tick = () => new Promise((resolve) => setImmediate(resolve));

const session = (n: number): SessionData =>
  ({ cookie: { originalMaxAge: null }, n }) as unknown as SessionData;

/**
 * A MemoryStore that scans in pages of 10 (one tick apart, repeating the first id of
 * the previous page as SCAN may), reads in batches of 10, and counts its reads in flight.
 */
class PagedStore extends MemoryStore {
  inFlight = 0;
  mostInFlight = 0;
  /** Batches (by their first id) whose read fails. */
  readonly failing = new Set<string>();

  protected override get readBatchSize(): number {
    return 10;
  }

  protected override async *scanIds(): AsyncIterable<string[]> {
    const ids = [...this.database.keys()].map((key) => key.slice(this.prefix.length)).sort();
    for (let start = 0; start < ids.length; start += 10) {
      await tick();
      yield [...(start > 0 ? [ids[start - 1] as string] : []), ...ids.slice(start, start + 10)];
    }
  }

  protected override async readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    try {
      // Slow, so that reads pile up.
      for (let i = 0; i < 30; i++) await tick();
      if (this.failing.has(sids[0] as string)) throw new Error(`read of ${sids[0]} failed`);
      return await super.readSessions(sids);
    } finally {
      this.inFlight--;
    }
  }
}

async function pagedStore(count: number): Promise<PagedStore> {
  const store = new PagedStore();
  for (let n = 0; n < count; n++) await store.set(`s${String(n).padStart(4, '0')}`, session(n));
  return store;
}

describe('all() reads the scanned ids in batches', () => {
  test('returns every session once, although pages repeat ids', async () => {
    const store = await pagedStore(95);
    const sessions = await store.all();
    expect(sessions.map((s) => s.id)).toEqual(
      Array.from({ length: 95 }, (_, n) => `s${String(n).padStart(4, '0')}`),
    );
    expect(sessions.map((s) => (s as unknown as { n: number }).n)).toEqual(
      Array.from({ length: 95 }, (_, n) => n),
    );
    await store.close();
  });

  test('keeps at most 8 reads in flight', async () => {
    const store = await pagedStore(400);
    expect(await store.all()).toHaveLength(400);
    expect(store.mostInFlight).toBe(8);
    await store.close();
  });

  test('a failed read rejects all(), and later failures are never unhandled', async () => {
    const store = await pagedStore(200);
    store.failing.add('s0010');
    store.failing.add('s0150');
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const failed = await store.all().then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(failed).toBeInstanceOf(Error);
      expect(String((failed as Error & { cause?: unknown }).cause ?? failed)).toContain(
        'read of s0010 failed',
      );
      for (let i = 0; i < 50; i++) await tick();
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
    await store.close();
  });
});
