import { once } from 'node:events';
import { afterEach, describe, expect, test } from '@jest/globals';
import { ErrorCode } from '@session-stores/core';
import {
  describeWithBackend,
  retried,
  timedFailure,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import { createClient } from 'redis';
import { RedisStore, type RedisStoreOptions } from '../src';
import { closeIoRedis, closeNodeRedis, openIoRedis, openNodeRedis, readyStore } from './helpers';

const COMMAND_TIMEOUT_MS = 500;
/** How long calls outside the outage are retried. */
const RETRIED = { timeoutMs: 20_000 };
/** Scheduling slack on a busy 2-core machine; the bound under test is COMMAND_TIMEOUT_MS. */
const SLACK_MS = 1500;

const session = (data: Record<string, unknown> = {}) =>
  ({
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' },
    ...data,
  }) as never;

describeWithBackend('redis', 'RedisStore when the server dies and comes back', () => {
  // Our own redis-server (never REDIS_URL): these tests kill and restart it.
  const redis = useRedis({ ownProcess: true });

  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedis(redis().url), closeIoRedis);
    const stores: RedisStore[] = [];
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    });

    const variants: Array<[string, () => RedisStoreOptions]> = [
      ['a node-redis client', () => ({ client: nodeRedis() })],
      ['an ioredis client', () => ({ client: ioredis() })],
      ['its own client', () => ({ url: redis().url })],
    ];

    for (const [label, clientOptions] of variants) {
      test(`with ${label}: operations fail fast with ERR_BACKEND_UNAVAILABLE, then work again after a restart`, async () => {
        const store = await readyStore({
          ...clientOptions(),
          prefix: uniquePrefix('faults'),
          commandTimeout: COMMAND_TIMEOUT_MS,
        });
        stores.push(store);
        // Calls before and after the outage are retried (a busy machine can push them past the
        // short budget): only the calls made while Redis is down are held to it.
        await retried(() => store.set('before', session({ n: 1 })), RETRIED);

        const disconnected = once(store, 'disconnect');
        await redis().kill();
        await disconnected;
        expect(store.connected).toBe(false);

        for (const operation of [
          () => store.get('before'),
          () => store.set('during', session()),
          () => store.length(),
        ]) {
          const { err, ms } = await timedFailure(operation);
          expect(err).toMatchObject({ code: ErrorCode.BackendUnavailable });
          expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
        }

        const reconnected = once(store, 'connect');
        await redis().restart();
        await reconnected;
        expect(store.connected).toBe(true);
        // The restarted server is empty; the same store instance writes and reads again.
        await retried(() => store.set('after', session({ n: 2 })), RETRIED);
        expect(await retried(() => store.get('after'), RETRIED)).toMatchObject({ n: 2 });
        // Nothing given up on during the outage was written later.
        expect(await retried(() => store.get('during'), RETRIED)).toBeNull();
      }, 90_000);
    }

    test('a stalled server: operations fail with ERR_BACKEND_UNAVAILABLE, disconnect, then connect once it answers', async () => {
      const store = await readyStore({
        client: ioredis(),
        prefix: uniquePrefix('stall'),
        commandTimeout: COMMAND_TIMEOUT_MS,
      });
      stores.push(store);
      // DEBUG SLEEP blocks the server, through a separate connection, for 1.5 s.
      const stalled = redis().command('DEBUG', 'SLEEP', '1.5');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The client still looks connected; the store says disconnect once a round trip goes unanswered.
      const disconnected = once(store, 'disconnect');
      const { err, ms } = await timedFailure(() => store.get('any'));
      expect(err).toMatchObject({ code: ErrorCode.BackendUnavailable });
      expect(String((err as Error).message)).toMatch(/did not answer within 500 ms/);
      expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
      await disconnected;
      await stalled;
      // It pings until the server answers, then says connect.
      await once(store, 'connect');
      await store.set('later', session({ ok: true }));
      expect(await store.get('later')).toMatchObject({ ok: true });
    });

    test('touch re-sends its script after the server forgot it (SCRIPT FLUSH)', async () => {
      const store = await readyStore({ client: nodeRedis(), prefix: uniquePrefix('noscript') });
      stores.push(store);
      await store.set('s', session({ v: 1 }));
      await store.touch('s', session({ v: 1 }));
      await redis().command('SCRIPT', 'FLUSH');
      const refreshed = session({ v: 1 });
      await store.touch('s', refreshed);
      expect(await store.get('s')).toMatchObject({ v: 1 });
    });

    test('a node-redis client that was never connected gives ERR_BACKEND_CONFIG with the fix', async () => {
      const client = createClient({ url: redis().url });
      const store = new RedisStore({ client, commandTimeout: 200 });
      stores.push(store);
      const err = await store.get('x').catch((error: unknown) => error);
      expect(err).toMatchObject({ code: ErrorCode.BackendMisconfigured });
      expect(String((err as Error).message)).toMatch(/client\.connect\(\)/);
    });

    test('the client connecting after the store was created is fine', async () => {
      const client = createClient({ url: redis().url });
      const store = new RedisStore({ client, prefix: uniquePrefix('late') });
      stores.push(store);
      const pending = store.set('s', session({ late: true }));
      await client.connect();
      try {
        await pending;
        expect(await store.get('s')).toMatchObject({ late: true });
      } finally {
        await store.close();
        await closeNodeRedis(client as never);
      }
    });
  });
});

describe('RedisStore with no server at all', () => {
  test('never crashes on client errors, fails with ERR_BACKEND_UNAVAILABLE, and logs only when asked', async () => {
    // Port 1 on loopback: connections are refused at once.
    const logged: unknown[] = [];
    const store = new RedisStore({
      host: '127.0.0.1',
      port: 1,
      commandTimeout: 300,
      logErrors: (err) => logged.push(err),
    });
    try {
      await expect(store.get('x')).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
      expect(store.connected).toBe(false);
      expect(logged.length).toBeGreaterThan(0);
      expect(String((logged[0] as Error).message)).toMatch(/ECONNREFUSED/);
    } finally {
      await store.close();
    }
  });
});
