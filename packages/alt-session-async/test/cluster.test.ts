import { describe, expect, test } from '@jest/globals';
import { describeWithBackend, useRedisCluster, useStarted } from '@session-stores/test-servers';
import { createCluster, type RedisClusterType } from 'redis';
import { altSession, type RedisClientLike } from '../src';
import { cookieHeader, cookieId, SECRET, stepApp, testPrefix } from './helpers';

describeWithBackend('redis-cluster', 'on Redis Cluster', () => {
  const cluster = useRedisCluster();
  const prefix = testPrefix('cluster');

  describe('with a node-redis cluster client', () => {
    const client = useStarted(
      'the resource',
      async () => {
        const created: RedisClusterType = createCluster({
          rootNodes: cluster().urls.map((url) => ({ url })),
        });
        created.on('error', () => undefined);
        await created.connect();
        return created;
      },
      async (created) => {
        await created.destroy();
      },
    );
    const middleware = useStarted(
      'the resource',
      () =>
        altSession({ client: client() as unknown as RedisClientLike, secret: SECRET, session: { prefix } }),
      (m) => m.close(),
    );
    /** Every key of a session, wherever its slot lives. */
    const exists = async (id: string) => Number(await client().exists(`${prefix}:${id}`));

    test('sessions round-trip, and an unknown id is not adopted', async () => {
      const app = stepApp(middleware());
      const planted = 'CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
      const { value, response } = await app.step(
        async (s) => {
          await s.mset({ user: 'ann', when: new Date(7) });
          return { id: s.id, read: await s.mget(['user', 'when']) };
        },
        undefined,
        { Cookie: cookieHeader(planted) },
      );
      expect(value.read).toEqual({ user: 'ann', when: new Date(7) });
      expect(value.id).not.toBe(planted);
      expect(cookieId(response)).toBe(value.id);
      expect(await exists(planted)).toBe(0);
    });

    test('regenerate moves the data across slots (take, then write) and the old id is gone', async () => {
      const app = stepApp(middleware());
      const { value: oldId } = await app.step(async (s) => {
        await s.mset({ user: 'bob', cart: [1, 2] });
        return s.id;
      });
      const { value: newId } = await app.step((s) => s.regenerate(), undefined, {
        Cookie: cookieHeader(oldId),
      });
      expect(await exists(oldId)).toBe(0);
      const { value } = await app.step((s) => s.mget(['user', 'cart']), undefined, {
        Cookie: cookieHeader(newId),
      });
      expect(value).toEqual({ user: 'bob', cart: [1, 2] });
      // The creation time moved too (maxLifetime keeps counting from the first store).
      expect(await client().hExists(`${prefix}:${newId}`, '@created')).toBeTruthy();
    });
  });
});
