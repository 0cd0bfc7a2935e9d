import { afterEach, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import { describeWithBackend, uniquePrefix, useRedis } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import {
  closeIoRedis,
  closeNodeRedis,
  openIoRedis,
  openNodeRedis,
  readyStore,
  untilCacheLive,
} from './helpers';

const session = (data: Record<string, unknown>): SessionData =>
  ({
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString(), path: '/' },
    ...data,
  }) as unknown as SessionData;

/** The `v` field of a session the store returned. */
const v = (stored: SessionData | null | undefined): unknown =>
  (stored as unknown as { v?: unknown } | null)?.v;

/** Polls `check` until it holds, or fails after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithBackend('redis', 'RedisStore clientCache', () => {
  const redis = useRedis();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store with the cache on (entries kept a minute, so only an invalidation can evict one). */
  async function cachedStore(): Promise<RedisStore> {
    const client = await openNodeRedis(redis().url);
    const store = await readyStore({
      client,
      prefix: uniquePrefix('cache'),
      clientCache: { maxAgeMs: 60_000 },
    });
    cleanups.push(async () => {
      await store.close();
      await closeNodeRedis(client);
    });
    return untilCacheLive(store);
  }

  async function getCalls(): Promise<number> {
    const info = String(await redis().command('INFO', 'commandstats'));
    return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
  }

  test('a session read twice is read from Redis once', async () => {
    const store = await cachedStore();
    await store.set('a', session({ v: 1 }));
    const before = await getCalls();
    expect(v(await store.get('a'))).toBe(1);
    expect(v(await store.get('a'))).toBe(1);
    expect((await getCalls()) - before).toBe(1);
    expect(store.cachedSessions).toBe(1);
  });

  test('a write by another client evicts the cached session: the invalidation arrives', async () => {
    const store = await cachedStore();
    await store.set('a', session({ v: 1 }));
    expect(v(await store.get('a'))).toBe(1);
    expect(store.cachedSessions).toBe(1);
    await redis().command('SET', `${store.prefix}a`, JSON.stringify(session({ v: 2 })), 'PX', '60000');
    await eventually(() => store.cachedSessions === 0);
    expect(v(await store.get('a'))).toBe(2);
  });

  test('a write by this store is read back at once (no stale read of its own writes)', async () => {
    const store = await cachedStore();
    await store.set('a', session({ v: 1 }));
    expect(v(await store.get('a'))).toBe(1);
    await store.set('a', session({ v: 2 }));
    expect(v(await store.get('a'))).toBe(2);
    await store.destroy('a');
    expect(await store.get('a')).toBeNull();
  });

  test('a conditional save of a cached read carries the cached version and lands', async () => {
    const store = await cachedStore();
    await store.set('a', session({ v: 1 }));
    await store.get('a');
    const loaded = (await store.get('a')) as SessionData;
    Object.assign(loaded, { w: 1 });
    await store.set('a', loaded);
    const stored = await store.get('a');
    expect(v(stored)).toBe(1);
    expect((stored as unknown as { w: number }).w).toBe(1);
  });

  test('when the tracking connection drops the cache stops serving, then serves again once tracking is back', async () => {
    const store = await cachedStore();
    await store.set('a', session({ v: 1 }));
    await store.get('a');
    expect(store.cachedSessions).toBe(1);
    const clients = String(await redis().command('CLIENT', 'LIST'));
    const tracking = clients.split('\n').filter((line) => /flags=\S*t/.test(line));
    expect(tracking.length).toBeGreaterThan(0);
    for (const line of tracking) {
      await redis().command('CLIENT', 'KILL', 'ID', (/id=(\d+)/.exec(line) as RegExpExecArray)[1] as string);
    }
    await eventually(() => !store.clientCacheLive || store.cachedSessions === 0);
    expect(store.cachedSessions).toBe(0);
    await eventually(() => store.clientCacheLive);
    expect(v(await store.get('a'))).toBe(1);
  });

  test.each([['an ioredis client', async () => openIoRedis(redis().url), closeIoRedis]] as const)(
    'clientCache with %s fails with ERR_INVALID_OPTION naming it',
    async (_name, open, close) => {
      const client = await open();
      try {
        expect(() => new RedisStore({ client, clientCache: true })).toThrow(
          expect.objectContaining({
            code: ErrorCode.InvalidOption,
            message: expect.stringMatching(/clientCache/),
          }),
        );
      } finally {
        await close(client);
      }
    },
  );

  test.each([[0], [{ maxAgeMs: 0 }], [{ maxEntries: 1.5 }], [{ maxAge: 1 }], ['yes']])(
    'clientCache %p fails with ERR_INVALID_OPTION',
    (value) => {
      expect(() => new RedisStore({ clientCache: value as never })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption }),
      );
    },
  );
});
