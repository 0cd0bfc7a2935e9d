import { describe, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import { closeNodeRedis, openNodeRedis, readyStore } from './helpers';

const session = (data: Record<string, unknown> = {}): SessionData =>
  ({
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' },
    ...data,
  }) as never;

describeWithBackend('redis', 'RedisStore with bad data and hostile prefixes', () => {
  const redis = useRedis();
  const base = uniquePrefix('bad-data');
  cleanUpPrefix(redis, base);

  describe('clients', () => {
    const client = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    const open = (prefix: string, onCorrupt?: 'error' | 'miss') =>
      readyStore({ client: client(), prefix, onCorrupt });

    test('a key holding another Redis type is corrupt data: ERR_SESSION_CORRUPT, and the store goes on', async () => {
      const store = await open(`${base}wrongtype:`);
      try {
        await redis().command('HSET', `${store.prefix}h`, 'cookie', '{}');
        await expect(store.get('h')).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
        // touch leaves it alone; all() skips it (MGET reads it as nil); set replaces it.
        await expect(store.touch('h', session())).resolves.toBeUndefined();
        expect(await redis().command('TYPE', `${store.prefix}h`)).toBe('hash');
        expect(await store.all()).toEqual([]);
        await store.set('h', session({ fixed: true }));
        expect(await store.get('h')).toMatchObject({ fixed: true });
      } finally {
        await store.close();
      }
    });

    test("with onCorrupt: 'miss' a key of another type reads as no session", async () => {
      const store = await open(`${base}wrongtype-miss:`, 'miss');
      try {
        await redis().command('SADD', `${store.prefix}s`, 'x');
        expect(await store.get('s')).toBeNull();
      } finally {
        await store.close();
      }
    });

    test('corrupt JSON among valid sessions: all() reports ERR_SESSION_CORRUPT, and get of the others still works', async () => {
      const store = await open(`${base}mixed:`);
      try {
        await store.set('good', session({ ok: 1 }));
        await redis().command('SET', `${store.prefix}bad`, '{"cookie":', 'PX', '60000');
        await expect(store.all()).rejects.toMatchObject({ code: ErrorCode.CorruptSession, sid: 'bad' });
        expect(await store.get('good')).toMatchObject({ ok: 1 });
        expect((await store.ids()).sort()).toEqual(['bad', 'good']);
      } finally {
        await store.clear();
        await store.close();
      }
    });

    test('clear deletes pages larger than one DEL chunk and leaves keys that merely share the start', async () => {
      const store = await readyStore({ client: client(), prefix: `${base}big:`, scanCount: 5000 });
      const neighbour = `${base}bigger:1`;
      try {
        await redis().command('SET', neighbour, '{"cookie":{}}', 'PX', '60000');
        const ids = Array.from({ length: 2500 }, (_, n) => `s${n}`);
        await Promise.all(ids.map((id) => store.set(id, session())));
        expect(await store.length()).toBe(2500);
        await store.clear();
        expect(await store.length()).toBe(0);
        expect(await redis().command('EXISTS', neighbour)).toBe(1);
      } finally {
        await store.close();
      }
    });

    test('a prefix made of glob characters never lets all, ids, length or clear reach other keys', async () => {
      const prefix = `${base}g*?[x]\\:`;
      // Each of these matches the prefix read as an unescaped glob, but is not under it.
      const foreign = [
        `${base}gAB[x]\\:1`,
        `${base}g*?x\\:2`,
        `${base}gZZx:3`,
        `${base}g*?[x]:4`,
        `${base}g*?[x]\\`,
      ];
      for (const key of foreign) await redis().command('SET', key, '{"cookie":{}}', 'PX', '60000');
      const store = await open(prefix);
      try {
        await store.set('mine', session({ mine: true }));
        expect(await store.ids()).toEqual(['mine']);
        expect(await store.length()).toBe(1);
        expect((await store.all()).map((s) => s.id)).toEqual(['mine']);
        await store.clear();
        expect(await store.length()).toBe(0);
        for (const key of foreign)
          expect({ key, exists: await redis().command('EXISTS', key) }).toEqual({ key, exists: 1 });
      } finally {
        await store.close();
      }
    });
  });
});
