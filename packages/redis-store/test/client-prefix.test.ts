import { describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import { closeIoRedis, openIoRedis, readyStore } from './helpers';

const session = (n: number): SessionData =>
  ({ cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' }, n }) as never;

// connect-redis issue: a client-level prefix is added to commands but not to SCAN patterns.
describeWithBackend('redis', 'RedisStore with an ioredis client that has a keyPrefix', () => {
  const redis = useRedis();
  const base = uniquePrefix('keyprefix');
  cleanUpPrefix(redis, base);

  describe('clients', () => {
    const prefixed = useStarted(
      'the client',
      () => openIoRedis(redis().url, { keyPrefix: `${base}app:` }),
      closeIoRedis,
    );

    test('stores under keyPrefix + prefix, and all/ids/length/clear find exactly those keys', async () => {
      const store = await readyStore({ client: prefixed(), prefix: 'sess:' });
      const foreign = `${base}sess:s1`; // the same id without the client's keyPrefix
      await redis().command('SET', foreign, '{"cookie":{}}', 'PX', '60000');
      try {
        await store.set('s1', session(1));
        await store.set('s2', session(2));
        expect(await redis().command('EXISTS', `${base}app:sess:s1`)).toBe(1);
        expect((await store.ids()).sort()).toEqual(['s1', 's2']);
        expect(await store.length()).toBe(2);
        expect((await store.all()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
        await store.touch('s1', session(1));
        expect(await store.get('s1')).toMatchObject({ n: 1 });
        await store.clear();
        expect(await store.length()).toBe(0);
        expect(await redis().command('EXISTS', foreign)).toBe(1);
      } finally {
        await store.close();
      }
    });
  });
});
