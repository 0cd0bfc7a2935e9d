import { afterAll, describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedisGroup,
} from '@session-stores/test-servers';
import type { ReplicatedStore } from '../src';
import { readHeader, tombstoneEnvelope } from '../src/envelope';
import { readyStore, session, text, urlsOf } from './helpers';

const expiry = (s: SessionData | null) =>
  new Date((s?.cookie as unknown as { expires: string | Date }).expires).getTime();

describeWithBackend('redis', 'ReplicatedStore touch, on the server', () => {
  const servers = useRedisGroup(3);
  const prefix = uniquePrefix('touch');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;

  describe('store', () => {
    let store: ReplicatedStore;
    const opened: ReplicatedStore[] = [];
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });
    const get = async () => {
      if (!store) {
        store = await readyStore({ clients: urlsOf(servers()), prefix });
        opened.push(store);
      }
      return store;
    };
    const held = (id: string) =>
      Promise.all(servers().map(async (server) => text(await server.command('GET', prefix + id))));

    test('adds a cookie to a session stored without one, keeping its data and version', async () => {
      const s = await get();
      const id = sid();
      await s.set(id, { user: 'ada' } as unknown as SessionData);
      await s.idle();
      const [before] = await held(id);
      const refreshed = session({}, 600_000);
      await s.touch(id, refreshed);
      await s.idle();
      const loaded = await s.get(id);
      expect(loaded).toMatchObject({ user: 'ada', cookie: { path: '/' } });
      expect(expiry(loaded)).toBe(expiry(refreshed));
      const [after] = await held(id);
      expect(readHeader(after as string).version).toBe(readHeader(before as string).version);
    });

    test('adds a cookie to an empty session', async () => {
      const s = await get();
      const id = sid();
      await s.set(id, {} as SessionData);
      await s.touch(id, session({}, 600_000));
      expect(Object.keys((await s.get(id)) ?? {})).toEqual(['cookie']);
    });

    test('replaces a cookie holding multi-byte characters, again and again', async () => {
      const s = await get();
      const id = sid();
      const withPath = (path: string, ms: number) => {
        const data = session({ user: 'ü-ser', list: [] }, ms);
        (data.cookie as unknown as { path: string }).path = path;
        return data;
      };
      await s.set(id, withPath('/ünïcødé/😀', 10_000));
      for (const [path, ms] of [
        ['/😀😀', 20_000],
        ['/', 30_000],
        ['/ß', 40_000],
      ] as const) {
        const refreshed = withPath(path, ms);
        await s.touch(id, refreshed);
        const loaded = await s.get(id);
        expect(loaded).toMatchObject({ user: 'ü-ser', list: [], cookie: { path } });
        expect(expiry(loaded)).toBe(expiry(refreshed));
      }
    });

    test('leaves a tombstone a tombstone, and a missing key missing, on every server', async () => {
      const s = await get();
      const gone = sid();
      const tombstone = tombstoneEnvelope(Date.now() * 1000);
      for (const server of servers()) await server.command('SET', prefix + gone, tombstone, 'PX', '60000');
      const missing = sid();
      await s.touch(gone, session());
      await s.touch(missing, session());
      expect(await held(gone)).toEqual([tombstone, tombstone, tombstone]);
      expect(await held(missing)).toEqual([null, null, null]);
    });

    test('leaves data it cannot read alone, and does not extend it', async () => {
      const s = await get();
      const id = sid();
      for (const server of servers())
        await server.command('SET', prefix + id, '{"v":1,"n":999,"s":{', 'PX', '60000');
      await s.touch(id, session({}, 600_000));
      for (const value of await held(id)) expect(value).toBe('{"v":1,"n":999,"s":{');
      for (const server of servers()) {
        expect(Number(await server.command('PTTL', prefix + id))).toBeLessThanOrEqual(60_000);
      }
    });

    test('touches each server’s own copy: a stale copy keeps its data and its lower version', async () => {
      const s = await get();
      const id = sid();
      await s.set(id, session({ n: 1 }));
      await s.idle();
      const [stale] = await held(id);
      await s.set(id, session({ n: 2 }));
      await s.idle();
      await servers()[2]?.command('SET', prefix + id, stale as string, 'PX', '60000');
      await s.touch(id, session({ n: 2 }, 600_000));
      await s.idle();
      const values = await held(id);
      expect(readHeader(values[2] as string).version).toBeLessThan(readHeader(values[0] as string).version);
      expect(JSON.parse(values[2] as string).s.n).toBe(1);
      expect(JSON.parse(values[0] as string).s.n).toBe(2);
    });
  });
});
