import { describe, expect, test } from '@jest/globals';
import { ErrorCode, MemoryStore, type SessionData } from '../src';

const session = (maxAgeMs: number, data: Record<string, unknown> = {}): SessionData =>
  ({
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), path: '/' },
    ...data,
  }) as unknown as SessionData;

/** Counts the touches the store writes (its refreshSession primitive). */
function countWrites(store: MemoryStore): { count: number } {
  const counter = { count: 0 };
  const target = store as unknown as { refreshSession: (...args: unknown[]) => Promise<void> };
  const original = target.refreshSession.bind(store);
  target.refreshSession = (...args) => {
    counter.count += 1;
    return original(...args);
  };
  return counter;
}

describe('touchMargin', () => {
  test.each([-0.1, 0.6, Number.NaN, '0.1', Number.POSITIVE_INFINITY])(
    'touchMargin %p is refused with ERR_INVALID_OPTION naming the option',
    (value) => {
      let thrown: unknown;
      try {
        new MemoryStore({ touchMargin: value as number });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ code: ErrorCode.InvalidOption });
      expect(String((thrown as Error).message)).toMatch(/touchMargin/);
    },
  );

  test('a touch of a loaded session that moves the expiry within the margin is not written', async () => {
    const store = new MemoryStore({ touchMargin: 0.1 });
    const writes = countWrites(store);
    await store.set('a', session(60_000));
    const loaded = (await store.get('a')) as SessionData;
    Object.assign(loaded, { cookie: { ...loaded.cookie, expires: new Date(Date.now() + 61_000) } });
    await store.touch('a', loaded);
    expect(writes.count).toBe(0);
    await store.close();
  });

  test('a touch beyond the margin is written, with the margin on the server TTL', async () => {
    const store = new MemoryStore({ touchMargin: 0.1 });
    const writes = countWrites(store);
    await store.set('a', session(60_000));
    const loaded = (await store.get('a')) as SessionData;
    const expires = new Date(Date.now() + 120_000);
    Object.assign(loaded, { cookie: { ...loaded.cookie, expires } });
    await store.touch('a', loaded);
    expect(writes.count).toBe(1);
    const stored = (await store.get('a')) as SessionData;
    expect(new Date(stored.cookie.expires as unknown as string).getTime()).toBe(expires.getTime());
    await store.close();
  });

  test('a touch of a session that was not loaded by the store is always written', async () => {
    const store = new MemoryStore({ touchMargin: 0.5 });
    const writes = countWrites(store);
    await store.set('a', session(60_000));
    await store.touch('a', session(60_000));
    expect(writes.count).toBe(1);
    await store.close();
  });

  test('without the option every touch is written, as before', async () => {
    const store = new MemoryStore();
    const writes = countWrites(store);
    await store.set('a', session(60_000));
    await store.touch('a', (await store.get('a')) as SessionData);
    expect(writes.count).toBe(1);
    await store.close();
  });
});
