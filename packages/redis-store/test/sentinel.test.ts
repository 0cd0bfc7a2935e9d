import { afterEach, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  describeWithBackend,
  type RedisSentinelSetup,
  uniquePrefix,
  useRedisSentinel,
  waitUntil,
} from '@session-stores/test-servers';
import Redis from 'ioredis';
import { createSentinel } from 'redis';
import type { RedisClientLike } from '../src';
import { readyStore } from './helpers';

const session = (data: Record<string, unknown>): SessionData =>
  ({
    cookie: { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000), path: '/' },
    ...data,
  }) as never;

/** Retries `operation` until it succeeds: during a failover operations fail, by design, with ERR_BACKEND_UNAVAILABLE. */
async function eventually<T>(operation: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await operation();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      expect(err).toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Writes, kills the master, and checks the same store works on the promoted replica. */
async function failover(
  client: RedisClientLike,
  setup: RedisSentinelSetup,
  cleanups: Array<() => Promise<void>>,
): Promise<void> {
  const prefix = uniquePrefix('sentinel');
  const store = await readyStore({ client, prefix, commandTimeout: 1000 });
  cleanups.push(() => store.close());
  await store.set('before', session({ n: 1 }));
  // Replication is asynchronous: let the replica receive the write before the master dies.
  await waitUntil(async () => (await setup.replica.command('EXISTS', `${prefix}before`)) === 1, {
    what: 'replication',
  });

  const events: string[] = [];
  store.on('disconnect', () => events.push('disconnect'));
  store.on('connect', () => events.push('connect'));
  await setup.master.kill();
  // Operations fail (ERR_BACKEND_UNAVAILABLE, within commandTimeout) until the replica is promoted.
  await eventually(() => store.set('after', session({ n: 2 })));
  // The client may flap while the sentinels settle; it must end connected, and say so last.
  await waitUntil(async () => store.connected && events.at(-1) === 'connect', {
    what: 'the store to say connect again',
  });
  expect(events[0]).toBe('disconnect');
  expect(events.at(-1)).toBe('connect');
  expect(await store.get('after')).toMatchObject({ n: 2 });
  expect(await store.get('before')).toMatchObject({ n: 1 });
  await store.touch('before', session({ n: 1 }));
  expect(await store.length()).toBe(2);
}

/** A describe block with its own master, replica and sentinels: each test kills its master. */
function withSentinel(
  title: string,
  fn: (setup: () => RedisSentinelSetup, cleanups: Array<() => Promise<void>>) => void,
): void {
  describeWithBackend('redis-sentinel', title, () => {
    const setup = useRedisSentinel();
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });
    fn(setup, cleanups);
  });
}

withSentinel('RedisStore behind Redis Sentinel, with ioredis', (setup, cleanups) => {
  test('the store keeps working after the master is killed', async () => {
    const { sentinels, masterName } = setup();
    const client = new Redis({ sentinels, name: masterName, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    cleanups.push(async () => client.disconnect());
    await failover(client, setup(), cleanups);
  }, 60_000);
});

withSentinel('RedisStore behind Redis Sentinel, with node-redis', (setup, cleanups) => {
  test('the store keeps working after the master is killed', async () => {
    const { sentinels, masterName } = setup();
    const client = createSentinel({ name: masterName, sentinelRootNodes: sentinels });
    client.on('error', () => undefined);
    await client.connect();
    cleanups.push(async () => {
      await client.destroy();
    });
    await failover(client, setup(), cleanups);
  }, 60_000);
});
