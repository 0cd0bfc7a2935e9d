import { expect, test } from '@jest/globals';
import { describeWithBackend, useRedis } from '@session-stores/test-servers';
import type { AltSessionOptions } from '../src';
import { raw, stepApp, testPrefix, useMiddlewares } from './helpers';

describeWithBackend('redis', 'the database index', () => {
  // Our own server: the tests write to databases 0, 1 and 2 (a shared server's other databases are not ours).
  const redis = useRedis({ ownProcess: true });
  const prefix = testPrefix('db');

  const middlewareWith = useMiddlewares(prefix);

  /** Stores a session through a middleware made with `options`; returns its key. */
  const storeWith = async (options: Partial<AltSessionOptions>): Promise<string> => {
    const middleware = middlewareWith(options);
    const { value: id } = await stepApp(middleware).step(async (s) => {
      await s.set('where', 'here');
      return s.id;
    });
    return `${prefix}:${id}`;
  };
  const where = async (key: string) =>
    Promise.all([0, 1, 2].map(async (db) => Number(await raw(redis(), db)('EXISTS', key))));

  test('session.dbIndex 0 is honoured, even over a URL naming database 2 (alt-session skipped 0)', async () => {
    const key = await storeWith({ url: `${redis().url}/2`, session: { dbIndex: 0 } });
    expect(await where(key)).toEqual([1, 0, 0]);
  });

  test('session.dbIndex 1 keeps sessions in database 1, apart from database 0', async () => {
    const key = await storeWith({
      redis: { host: redis().host, port: redis().port },
      session: { dbIndex: 1 },
    });
    expect(await where(key)).toEqual([0, 1, 0]);
  });

  test('redis.db and the URL path select the database too', async () => {
    expect(
      await where(await storeWith({ redis: { host: redis().host, port: redis().port, db: 2 } })),
    ).toEqual([0, 0, 1]);
    expect(await where(await storeWith({ url: `${redis().url}/1` }))).toEqual([0, 1, 0]);
  });
});
