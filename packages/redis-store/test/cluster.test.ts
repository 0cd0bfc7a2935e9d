import { describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  describeWithBackend,
  uniquePrefix,
  useRedisCluster,
  useStarted,
  waitUntil,
} from '@session-stores/test-servers';
import { groupBySlot, hashSlot } from '../src/hash-slot';
import {
  closeIoRedis,
  closeNodeRedis,
  openIoRedisCluster,
  openNodeRedisCluster,
  readyStore,
} from './helpers';

const session = (n: number): SessionData =>
  ({ cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' }, n }) as never;

const KEYS = [
  'sess:abc',
  'foo',
  '',
  '{user1000}.following',
  'a{}b{c}',
  '{{a}}',
  'x{y',
  'ü🎉',
  `sess:${'z'.repeat(300)}`,
];

describe('hash slots', () => {
  test('groupBySlot keeps every key once, with its position, one slot per group', () => {
    const keys = Array.from({ length: 500 }, (_, n) => `sess:${n}`);
    const groups = groupBySlot(keys);
    expect(groups.flatMap((g) => g.positions).sort((a, b) => a - b)).toEqual(keys.map((_, n) => n));
    for (const group of groups) {
      expect(new Set(group.keys.map(hashSlot)).size).toBe(1);
      for (const [index, position] of group.positions.entries())
        expect(keys[position]).toBe(group.keys[index]);
    }
  });
});

describeWithBackend('redis-cluster', 'RedisStore on a cluster', () => {
  const cluster = useRedisCluster();

  test('hashSlot agrees with CLUSTER KEYSLOT, hash tags included', async () => {
    const server = cluster().servers[0];
    for (const key of KEYS) {
      expect({ key, slot: hashSlot(key) }).toEqual({
        key,
        slot: Number(await server?.command('CLUSTER', 'KEYSLOT', key)),
      });
    }
  });

  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedisCluster(cluster().urls), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedisCluster(cluster().nodes), closeIoRedis);
    // ioredis adds keyPrefix to every key itself (not to SCAN patterns): the store must account for it.
    const prefixed = useStarted(
      'the client',
      () => openIoRedisCluster(cluster().nodes, { keyPrefix: 'app:' }),
      closeIoRedis,
    );

    const variants: Array<[string, () => Parameters<typeof readyStore>[0]['client']]> = [
      ['node-redis', nodeRedis],
      ['ioredis', ioredis],
      ['ioredis with keyPrefix', prefixed],
    ];
    for (const [label, client] of variants) {
      test(`${label}: all, ids, length and clear over 300 sessions on every master, with no CROSSSLOT`, async () => {
        const store = await readyStore({ client: client(), prefix: uniquePrefix('cluster') });
        try {
          const ids = Array.from({ length: 300 }, (_, n) => `s${n}`);
          await Promise.all(ids.map((id, n) => store.set(id, session(n))));
          expect((await store.ids()).sort()).toEqual([...ids].sort());
          expect(await store.length()).toBe(300);
          const all = await store.all();
          expect(all).toHaveLength(300);
          for (const loaded of all) expect(loaded).toMatchObject({ n: ids.indexOf(loaded.id) });
          await store.clear();
          expect(await store.length()).toBe(0);
        } finally {
          await store.close();
        }
      }, 30_000);
    }

    test('with ioredis keyPrefix the keys live under keyPrefix + prefix, and other keys are left alone', async () => {
      const prefix = uniquePrefix('kp');
      const store = await readyStore({ client: prefixed(), prefix });
      try {
        await store.set('mine', session(1));
        // The same id without the client's keyPrefix belongs to someone else.
        await ioredis().set(`${prefix}mine`, 'foreign', 'PX', 60_000);
        expect(await ioredis().exists(`app:${prefix}mine`)).toBe(1);
        expect(await store.ids()).toEqual(['mine']);
        await store.touch('mine', session(1));
        await store.clear();
        expect(await ioredis().exists(`app:${prefix}mine`)).toBe(0);
        expect(await ioredis().get(`${prefix}mine`)).toBe('foreign');
      } finally {
        await ioredis().del(`${prefix}mine`);
        await store.close();
      }
    });
  });
});

// Kills a master, so it needs a cluster of its own, started by the tests (not REDIS_CLUSTER_URLS).
describeWithBackend('redis-cluster', 'RedisStore on a cluster that loses a master', () => {
  const cluster = useRedisCluster();

  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedisCluster(cluster().urls), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedisCluster(cluster().nodes), closeIoRedis);
    const ownServers = process.env.REDIS_CLUSTER_URLS ? test.skip : test;

    ownServers(
      'operations on its slots fail with ERR_BACKEND_UNAVAILABLE and the store says disconnect, then connect once the cluster is whole',
      async () => {
        // Short enough that commands to the dead master fail within the test, long enough that
        // the live masters answer on a busy machine (800 ms was missed beside CPU hogs).
        const commandTimeout = 3000;
        const stores = [
          await readyStore({ client: nodeRedis(), prefix: uniquePrefix('lost-a'), commandTimeout }),
          await readyStore({ client: ioredis(), prefix: uniquePrefix('lost-b'), commandTimeout }),
        ];
        const ids = Array.from({ length: 30 }, (_, n) => `s${n}`);
        try {
          for (const store of stores) await Promise.all(ids.map((id, n) => store.set(id, session(n))));
          const events = stores.map((store) => {
            const seen: string[] = [];
            store.on('disconnect', () => seen.push('disconnect'));
            store.on('connect', () => seen.push('connect'));
            return seen;
          });
          const victim = cluster().servers[0];
          await victim?.kill();
          for (const store of stores) {
            const outcomes = await Promise.allSettled(ids.map((id) => store.get(id)));
            const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
            expect(failed.length).toBeGreaterThan(0);
            // About a third of the keys live on the dead master; the others still answer (the
            // test cluster does not require full coverage: see startRedisCluster).
            expect(failed.length).toBeLessThan(ids.length);
            for (const outcome of failed)
              expect(outcome.reason).toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
            await expect(store.length()).rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
          }
          await victim?.restart();
          await waitUntil(async () => stores.every((store) => store.connected), {
            timeoutMs: 30_000,
            what: 'both stores to say connect',
          });
          for (const [index, store] of stores.entries()) {
            expect(events[index]).toEqual(['disconnect', 'connect']);
            // The restarted master came back empty: its keys read as missing, the others as stored.
            const loaded = await Promise.all(ids.map((id) => store.get(id)));
            expect(loaded.filter((value) => value !== null).length).toBeGreaterThan(0);
            await store.set('after', session(99));
            expect(await store.get('after')).toMatchObject({ n: 99 });
          }
        } finally {
          for (const store of stores) await store.close();
        }
      },
      60_000,
    );
  });
});
