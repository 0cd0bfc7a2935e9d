import { expect } from '../expect';
import { allCalls, field, makeSession } from '../fixtures';
import type { ConformanceGroup } from '../types';

/** Parallel callers each get their own answer; parallel writers leave one whole value. */
export const concurrencyGroup: ConformanceGroup = {
  name: 'concurrency',
  cases: [
    {
      name: '1,000 parallel set+get on distinct ids all round-trip',
      timeoutMs: 60_000,
      async run({ store, sid }) {
        const s = await store();
        const ids = Array.from({ length: 1000 }, (_, n) => `${sid()}-${n}`);
        const outcomes = await allCalls(
          ids.map(async (id, n) => {
            await s.set(id, makeSession({ n }));
            return field(await s.get(id), 'n');
          }),
        );
        expect(outcomes).toEqual(ids.map((_, n) => n));
        // Every write is still there once all are done: none was lost to another's read-modify-write.
        const after = await allCalls(ids.map(async (id) => field(await s.get(id), 'n')));
        expect(ids.filter((_, n) => after[n] !== n)).toEqual([]);
      },
    },
    {
      name: '100 parallel writes to one id leave exactly one of the written values',
      timeoutMs: 30_000,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        const payload = (n: number) => ({ n, copy: `value-${n}`, list: Array.from({ length: 20 }, () => n) });
        await allCalls(Array.from({ length: 100 }, (_, n) => s.set(id, makeSession(payload(n)))));
        const stored = await s.get(id);
        const n = field(stored, 'n') as number;
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThan(100);
        expect(stored).toMatchObject(payload(n));
      },
    },
  ],
};
