import { afterAll, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import type { RedisStore, RedisStoreOptions } from '../src';
import { userIndexKey } from '../src/user-index-plan';
import { closeNodeRedis, openNodeRedis, readyStore } from './helpers';

const userOf = (session: SessionData): string | undefined => (session as unknown as { user?: string }).user;

const session = (data: Record<string, unknown>, maxAgeMs = 60_000): SessionData =>
  ({
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), path: '/' },
    ...data,
  }) as never;

const expiryOf = (stored: SessionData): number =>
  new Date((stored.cookie as { expires: string | Date }).expires).getTime();

describeWithBackend('redis', 'RedisStore user index', () => {
  const redis = useRedis();
  const prefix = uniquePrefix('users');
  cleanUpPrefix(redis, prefix);
  const client = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
  const stores: RedisStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });
  const open = async (options: RedisStoreOptions = {}): Promise<RedisStore> => {
    const store = await readyStore({
      client: client(),
      prefix: `${prefix}${stores.length}:`,
      userOf,
      ...options,
    });
    stores.push(store);
    return store;
  };
  const indexKey = (store: RedisStore, user: string) => userIndexKey(store.prefix, user);

  test("the user's sorted set scores each session by its expiry and expires with the last one", async () => {
    const store = await open();
    const short = session({ user: 'ann' }, 30_000);
    const long = session({ user: 'ann' }, 90_000);
    await store.set('short', short);
    await store.set('long', long);
    const key = indexKey(store, 'ann');
    expect(Number(await redis().command('ZSCORE', key, 'short'))).toBe(expiryOf(short));
    expect(Number(await redis().command('ZSCORE', key, 'long'))).toBe(expiryOf(long));
    const pttl = Number(await redis().command('PTTL', key));
    expect(pttl).toBeGreaterThan(80_000);
    expect(pttl).toBeLessThanOrEqual(90_000);
  });

  test("touch moves the entry's score and the index key's expiry with the session", async () => {
    const store = await open();
    await store.set('s', session({ user: 'ben' }, 30_000));
    const later = session({ user: 'ben' }, 120_000);
    await store.touch('s', later);
    const key = indexKey(store, 'ben');
    expect(Number(await redis().command('ZSCORE', key, 's'))).toBe(expiryOf(later));
    expect(Number(await redis().command('PTTL', key))).toBeGreaterThan(110_000);
  });

  test('touch of a missing session adds no index entry', async () => {
    const store = await open();
    await store.touch('missing', session({ user: 'cid' }));
    expect(await redis().command('EXISTS', indexKey(store, 'cid'))).toBe(0);
  });

  test('a session without expiry makes its index key persist', async () => {
    const store = await open({ disableTTL: true });
    await store.set('s', session({ user: 'dee' }));
    expect(Number(await redis().command('PTTL', indexKey(store, 'dee')))).toBe(-1);
    expect(await redis().command('ZSCORE', indexKey(store, 'dee'), 's')).toBe('inf');
  });

  test('ids(), length() and all() leave index keys out, and clear() deletes them', async () => {
    const store = await open();
    await store.set('a', session({ user: 'eve' }));
    await store.set('b', session({ user: '*' }));
    await store.set('c', session({}));
    expect((await store.ids()).sort()).toEqual(['a', 'b', 'c']);
    expect(await store.length()).toBe(3);
    expect((await store.all()).map((entry) => entry.id).sort()).toEqual(['a', 'b', 'c']);
    await store.clear();
    expect(await redis().command('EXISTS', indexKey(store, 'eve'), indexKey(store, '*'))).toBe(0);
  });

  test('destroyAllOf ends a user among thousands of sessions without scanning the keyspace', async () => {
    const store = await open();
    for (let start = 0; start < 2000; start += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          store.set(`other-${start + index}`, session({ user: `u${index}` })),
        ),
      );
    }
    for (let index = 0; index < 10; index += 1) await store.set(`fay-${index}`, session({ user: 'fay' }));
    const scans = async () => {
      const stats = String(await redis().command('INFO', 'commandstats'));
      return Number(/cmdstat_scan:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const before = await scans();
    expect(await store.destroyAllOf('fay')).toBe(10);
    expect(await scans()).toBe(before);
    expect(await store.get('fay-3')).toBeNull();
    expect(await redis().command('EXISTS', indexKey(store, 'fay'))).toBe(0);
  }, 60_000);
});
