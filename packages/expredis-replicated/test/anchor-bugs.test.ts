import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCode } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  freePort,
  type RedisServer,
  sleep,
  uniquePrefix,
  useRedisGroup,
  waitUntil,
} from '@session-stores/test-servers';
import { ReplicatedStore, type ReplicatedStoreOptions } from '../src';
import { jsonEnvelope } from '../src/envelope';
import { FULL_READ_EVERY } from '../src/replicated-store';
import { readyStore, session, text, urlsOf } from './helpers';

/**
 * One test per expredis 0.2.2 bug listed in ANCHORS.md §3.7, each showing this store does
 * not have it. "A server down" is a port nothing listens on.
 */
describeWithBackend('redis', 'the expredis bugs ReplicatedStore does not have', () => {
  const servers = useRedisGroup(3);
  const prefix = uniquePrefix('anchor');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;
  let deadPort = 0;
  beforeAll(async () => {
    deadPort = await freePort();
  });

  describe('stores', () => {
    const stores: ReplicatedStore[] = [];
    afterAll(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    });
    const track = (store: ReplicatedStore): ReplicatedStore => {
      stores.push(store);
      return store;
    };
    /** Two live servers and one down. */
    const oneDown = () => [...urlsOf(servers()).slice(0, 2), { host: '127.0.0.1', port: deadPort }];
    const open = async (options: Partial<ReplicatedStoreOptions> = {}) =>
      track(await readyStore({ clients: urlsOf(servers()), prefix, ...options }));

    test('one server down: writes still succeed (expredis failed every write)', async () => {
      const store = await open({ clients: oneDown() });
      const id = sid();
      await store.set(id, session({ n: 1 }));
      await store.touch(id, session({ n: 1 }));
      expect(await store.get(id)).toMatchObject({ n: 1 });
      await store.destroy(id);
      expect(await store.get(id)).toBeNull();
    });

    test('one server down: a missing session is a miss, not an error (expredis passed the connection error on)', async () => {
      const store = await open({ clients: oneDown() });
      await expect(store.get(sid())).resolves.toBeNull();
    });

    test('length counts only this prefix’s sessions (expredis counted KEYS * of the whole database)', async () => {
      const store = await open({ prefix: `${prefix}len:` });
      for (const server of servers()) {
        await server.command('SET', `${prefix}foreign`, 'x', 'PX', '600000');
        await server.command('SET', `${prefix}len-not-mine`, 'x', 'PX', '600000');
      }
      await store.set(sid(), session());
      await store.set(sid(), session());
      expect(await store.length()).toBe(2);
    });

    test('clear deletes only this prefix’s sessions (expredis ran FLUSHDB)', async () => {
      const store = await open({ prefix: `${prefix}clear:` });
      const foreign = `${prefix}clear-foreign`;
      for (const server of servers()) await server.command('SET', foreign, 'keep me', 'PX', '600000');
      const id = sid();
      await store.set(id, session());
      await store.clear();
      expect(await store.get(id)).toBeNull();
      for (const server of servers()) expect(await server.command('GET', foreign)).toBe('keep me');
    });

    test('an unreachable server never crashes an app without an error listener (expredis threw "Unhandled error")', async () => {
      const store = track(new ReplicatedStore({ clients: oneDown(), prefix }));
      await store.ready(10_000);
      // The client has been refused several times by now; nobody listens, nothing is thrown.
      await sleep(500);
      expect(store.listenerCount('error')).toBe(0);
      const errors: Array<Error & { code?: string; client?: unknown; replica?: number }> = [];
      store.on('error', (err) => errors.push(err));
      await waitUntil(() => errors.length > 0, { timeoutMs: 20_000, what: 'an error event' });
      // A typed error (ERR_BACKEND_UNAVAILABLE outside jest; jest's separate realm defeats the
      // `instanceof Error` check of the classifier for errors made by Node's net module).
      expect(errors[0]).toMatchObject({
        replica: 2,
        cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
      });
      expect(typeof errors[0]?.code).toBe('string');
      expect(errors[0]?.client).toBe(store.clients[2]);
    });

    test('ttl: 0, an expired cookie or a negative maxAge never send a bad expiry (expredis: "ERR invalid expire time")', async () => {
      expect(() => new ReplicatedStore({ clients: urlsOf(servers()), ttl: 0 })).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption, option: 'ttl' }),
      );
      const store = await open();
      const expired = sid();
      await store.set(expired, session({ n: 1 }));
      await expect(store.set(expired, session({ n: 2 }, -1000))).resolves.toBeUndefined();
      expect(await store.get(expired)).toBeNull();
      const negative = sid();
      await expect(
        store.set(negative, { cookie: { originalMaxAge: -1000, maxAge: -1000 } } as never),
      ).resolves.toBeUndefined();
      expect(await store.get(negative)).toBeNull();
      const zero = await open({ ttl: () => 0 });
      const byFunction = sid();
      await expect(zero.set(byFunction, session())).resolves.toBeUndefined();
      expect(await zero.get(byFunction)).toBeNull();
    });

    test('destroy without a callback never crashes, even when it fails (expredis called undefined)', async () => {
      const store = track(
        new ReplicatedStore({ clients: oneDown(), prefix, writeQuorum: 'all', commandTimeout: 300 }),
      );
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        // writeQuorum 'all' with a server down: the destroy fails.
        (store.destroy as (id: string) => void)(sid());
        const failure = await new Promise<unknown>((resolve) => store.destroy(sid(), resolve));
        expect(failure).toMatchObject({ code: ErrorCode.BackendUnavailable });
        await sleep(100);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    test('all() exists and returns every session with its id (expredis had none)', async () => {
      const store = await open({ prefix: `${prefix}all:` });
      const ids = [sid(), sid()];
      for (const id of ids) await store.set(id, session({ id }));
      const all = await store.all();
      expect(all.map((s) => s.id).sort()).toEqual([...ids].sort());
    });

    test('says disconnect while fewer servers than the write quorum are reachable (expredis never did)', async () => {
      const store = track(new ReplicatedStore({ clients: oneDown(), prefix, writeQuorum: 'all' }));
      const majority = await open({ clients: oneDown() });
      await sleep(300);
      expect(store.connected).toBe(false);
      expect(store.reachableServers).toBe(2);
      expect(majority.connected).toBe(true);
    });

    test('divergent copies converge (expredis returned whichever server answered first, forever)', async () => {
      // Copies changed behind the store's back: a hedged read asks one server, but one read in
      // FULL_READ_EVERY asks them all, compares the copies and repairs the stale ones.
      const store = await open();
      const id = sid();
      const now = Date.now() * 1000;
      const copies = [
        jsonEnvelope(now - 2, '{"path":"/"}', '{"v":"old"}'),
        jsonEnvelope(now, '{"path":"/"}', '{"v":"new"}'),
        jsonEnvelope(now - 1, '{"path":"/"}', '{"v":"older"}'),
      ];
      await Promise.all(
        servers().map((server, index) =>
          server.command('SET', prefix + id, copies[index] as string, 'PX', '600000'),
        ),
      );
      for (let read = 0; read < FULL_READ_EVERY; read++) await store.get(id);
      await store.idle();
      const held = await Promise.all(
        servers().map(async (server: RedisServer) => text(await server.command('GET', prefix + id))),
      );
      expect(held).toEqual([copies[1], copies[1], copies[1]]);
      for (let read = 0; read < 10; read++) expect(await store.get(id)).toMatchObject({ v: 'new' });
    });

    test('every server down: a read fails with ERR_BACKEND_UNAVAILABLE, promptly (expredis: the last client error)', async () => {
      const ports = [await freePort(), await freePort(), await freePort()];
      const store = track(
        new ReplicatedStore({
          clients: ports.map((port) => ({ host: '127.0.0.1', port })),
          commandTimeout: 300,
        }),
      );
      const started = Date.now();
      await expect(store.get(sid())).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
      await expect(store.set(sid(), session())).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
      // Promptly: well before the test's own timeout, however busy the machine (the two
      // calls' 300 ms timeouts are the floor, not the bound).
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    test('a copy that cannot be parsed on one server does not hide a good copy on another (expredis: the parse error won)', async () => {
      const store = await open();
      const id = sid();
      const good = jsonEnvelope(Date.now() * 1000, '{"path":"/"}', '{"ok":true}');
      await servers()[0]?.command('SET', prefix + id, '{"cookie": tru', 'PX', '600000');
      await servers()[1]?.command('SET', prefix + id, good, 'PX', '600000');
      await servers()[2]?.command('SET', prefix + id, good, 'PX', '600000');
      for (let read = 0; read < 5; read++) expect(await store.get(id)).toMatchObject({ ok: true });
    });
  });
});
