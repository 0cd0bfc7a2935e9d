import { afterAll, describe, expect, test } from '@jest/globals';
import {
  cleanUpPrefix,
  describeWithBackend,
  type RedisServer,
  startDelayProxy,
  uniquePrefix,
  useStarted,
} from '@session-stores/test-servers';
import type { ReplicatedStore, ReplicatedStoreOptions } from '../src';
import { jsonEnvelope, readHeader, tombstoneEnvelope } from '../src/envelope';
import { readyStore, session, text, urlsOf, useOwnServers } from './helpers';

/** An envelope as the store writes it, for a user at a version. */
function stored(version: number, user: string): string {
  const cookie = JSON.stringify({
    originalMaxAge: 600_000,
    expires: new Date(Date.now() + 600_000),
    path: '/',
  });
  return jsonEnvelope(version, cookie, JSON.stringify({ user }));
}

describeWithBackend('redis', 'ReplicatedStore: divergent servers converge', () => {
  const servers = useOwnServers(3);
  const prefix = uniquePrefix('converge');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;

  const stores: ReplicatedStore[] = [];
  const open = async (options: Partial<ReplicatedStoreOptions> = {}): Promise<ReplicatedStore> => {
    const store = await readyStore({ clients: urlsOf(servers()), prefix, ...options });
    stores.push(store);
    return store;
  };
  const closeAll = async (): Promise<void> => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  };
  /** What each server holds under a session id. */
  const onServers = async (id: string): Promise<Array<string | null>> =>
    Promise.all(servers().map(async (server) => text(await server.command('GET', prefix + id))));
  const writeRaw = async (index: number, id: string, value: string): Promise<void> => {
    await servers()[index]?.command('SET', prefix + id, value, 'PX', '600000');
  };

  describe('stores', () => {
    afterAll(closeAll);

    test("readPolicy 'newest' returns the newest write of a quorum, and the stale server is repaired", async () => {
      const store = await open({ readPolicy: 'newest' });
      const id = sid();
      const newest = stored(Date.now() * 1000, 'newest');
      // The newest write reached a majority (servers 1 and 2); server 0 missed it.
      await writeRaw(0, id, stored(Date.now() * 1000 - 2_000_000, 'old'));
      await writeRaw(1, id, newest);
      await writeRaw(2, id, newest);
      // Any two answers include one of servers 1 and 2: every time, the newest.
      for (let read = 0; read < 10; read++) expect(await store.get(id)).toMatchObject({ user: 'newest' });
      await store.idle();
      expect(await onServers(id)).toEqual([newest, newest, newest]);
    });

    test("readPolicy 'newest' with writeQuorum 1 waits for every server: a copy on one is enough", async () => {
      const store = await open({ readPolicy: 'newest', writeQuorum: 1 });
      expect(store.readQuorum).toBe(3);
      const id = sid();
      const newest = stored(Date.now() * 1000, 'newest');
      await writeRaw(0, id, stored(Date.now() * 1000 - 2_000_000, 'old'));
      await writeRaw(1, id, newest);
      // Server 2 never got the session at all.
      expect(await store.get(id)).toMatchObject({ user: 'newest' });
      await store.idle();
      expect(await onServers(id)).toEqual([newest, newest, newest]);
    });

    test("readPolicy 'first' repairs stale servers in the background too, once a read asks them", async () => {
      const store = await open();
      const id = sid();
      const newest = stored(Date.now() * 1000, 'newest');
      await writeRaw(0, id, stored(Date.now() * 1000 - 2_000_000, 'old'));
      await writeRaw(2, id, newest);
      // Server 1 lost the session. A read asks one server (the servers take turns): server 0
      // gives its old copy, server 2 the newest; server 1 answers a miss, so the read asks the
      // others too, returns the first copy to arrive, and repairs every stale server it asked.
      const deadline = Date.now() + 5000;
      let values = await onServers(id);
      while (values.some((value) => value !== newest) && Date.now() < deadline) {
        const read = (await store.get(id)) as { user: string } | null;
        expect(['old', 'newest']).toContain(read?.user);
        await store.idle();
        values = await onServers(id);
      }
      expect(values).toEqual([newest, newest, newest]);
      expect(await store.get(id)).toMatchObject({ user: 'newest' });
    });

    test('a tombstone newer than a copy wins: the session stays destroyed everywhere', async () => {
      const store = await open({ readPolicy: 'newest' });
      const id = sid();
      const tombstone = tombstoneEnvelope(Date.now() * 1000);
      // The destroy reached a majority; server 0 still holds the session.
      await writeRaw(0, id, stored(Date.now() * 1000 - 1_000_000, 'destroyed'));
      await writeRaw(1, id, tombstone);
      await writeRaw(2, id, tombstone);
      for (let read = 0; read < 10; read++) expect(await store.get(id)).toBeNull();
      await store.idle();
      expect(await onServers(id)).toEqual([tombstone, tombstone, tombstone]);
      expect(await store.ids()).not.toContain(id);
    });

    test('readRepair: false leaves divergent servers alone', async () => {
      const store = await open({ readPolicy: 'newest', writeQuorum: 1, readRepair: false });
      const id = sid();
      const old = stored(Date.now() * 1000 - 1_000_000, 'old');
      const newest = stored(Date.now() * 1000, 'newest');
      await writeRaw(0, id, old);
      await writeRaw(1, id, newest);
      expect(await store.get(id)).toMatchObject({ user: 'newest' });
      await store.idle();
      expect(await onServers(id)).toEqual([old, newest, null]);
    });

    test('a write after a read carries a higher version, even when the copy read came from a clock ahead of ours', async () => {
      const store = await open({ readPolicy: 'newest' });
      const id = sid();
      // Written by an app server whose clock runs 10 minutes ahead.
      const ahead = Date.now() * 1000 + 600_000_000;
      for (const index of [0, 1, 2]) await writeRaw(index, id, stored(ahead, 'ahead'));
      expect(await store.get(id)).toMatchObject({ user: 'ahead' });
      await store.set(id, session({ user: 'saved after' }));
      await store.idle();
      const values = await onServers(id);
      for (const value of values) expect(readHeader(value as string).version).toBeGreaterThan(ahead);
      expect(await store.get(id)).toMatchObject({ user: 'saved after' });
    });

    test('all, ids and length see the union of the servers, newest copy first', async () => {
      const store = await open({ prefix: `${prefix}union:` });
      const base = `${prefix}union:`;
      await servers()[0]?.command('SET', `${base}only0`, stored(Date.now() * 1000, 'zero'), 'PX', '600000');
      await servers()[1]?.command('SET', `${base}only1`, stored(Date.now() * 1000, 'one'), 'PX', '600000');
      await servers()[2]?.command('SET', `${base}gone`, tombstoneEnvelope(Date.now() * 1000), 'PX', '600000');
      await servers()[0]?.command(
        'SET',
        `${base}gone`,
        stored(Date.now() * 1000 - 1_000_000, 'x'),
        'PX',
        '600000',
      );
      expect((await store.ids()).sort()).toEqual(['only0', 'only1']);
      expect(await store.length()).toBe(2);
      const all = await store.all();
      expect(all.map((s) => [s.id, (s as unknown as { user: string }).user]).sort()).toEqual([
        ['only0', 'zero'],
        ['only1', 'one'],
      ]);
    });
  });

  describe('a destroy racing a read repair', () => {
    // Server 2 answers through a proxy: every round trip to it takes over 200 ms.
    const proxy = useStarted(
      'the resource',
      () => startDelayProxy(servers()[2] as RedisServer, 100),
      (p) => p.stop(),
    );
    afterAll(closeAll);

    test('a session destroyed after the read started is not brought back by its repair', async () => {
      const [zero, one] = urlsOf(servers());
      // 'newest' asks every server at once; a 'first' read would ask only one of the fast ones.
      const store = await readyStore({
        clients: [
          zero as { url: string },
          one as { url: string },
          { host: proxy().host, port: proxy().port },
        ],
        prefix,
        readPolicy: 'newest',
        commandTimeout: 5000,
      });
      stores.push(store);
      const id = sid();
      // Servers 0 and 1 hold the session; server 2 came back empty.
      await writeRaw(0, id, stored(Date.now() * 1000, 'racing'));
      await writeRaw(1, id, stored(Date.now() * 1000, 'racing'));
      // The read returns at once from servers 0 and 1; server 2's (empty) answer comes much later...
      expect(await store.get(id)).toMatchObject({ user: 'racing' });
      // ...and meanwhile the session is destroyed (the tombstone reaches server 2 after the GET).
      await store.destroy(id);
      // The repair of server 2 is sent once its answer is in, with the older version: refused.
      await store.idle();
      const values = await onServers(id);
      for (const value of values) expect(readHeader(value as string).kind).toBe('tombstone');
      expect(await store.get(id)).toBeNull();

      // The control: the same read without the destroy does refill server 2.
      const control = sid();
      const copy = stored(Date.now() * 1000, 'control');
      await writeRaw(0, control, copy);
      await writeRaw(1, control, copy);
      expect(await store.get(control)).toMatchObject({ user: 'control' });
      await store.idle();
      expect(await onServers(control)).toEqual([copy, copy, copy]);
    }, 20_000);
  });
});
