import { afterAll, describe, expect, test } from '@jest/globals';
import {
  type DelayProxy,
  describeWithBackend,
  type RedisServer,
  sleep,
  startDelayProxy,
  uniquePrefix,
  useStarted,
  waitUntil,
} from '@session-stores/test-servers';
import type { ReplicatedStore, ReplicatedStoreOptions } from '../src';
import { tombstoneEnvelope } from '../src/envelope';
import { countKeys, readyStore, session, text, urlsOf, useOwnServers } from './helpers';

/**
 * How many GET commands a server received from clients since its last CONFIG RESETSTAT.
 * Redis also counts the commands scripts run: between a reset and a count, the only
 * scripts here are read repairs (SET_IF_NEWER), each running one GET, so those are taken off.
 */
async function getCalls(server: RedisServer): Promise<number> {
  const info = String(await server.command('INFO', 'commandstats'));
  const calls = (command: string): number =>
    Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return calls('get') - calls('eval') - calls('evalsha');
}

async function resetStats(servers: readonly RedisServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.command('CONFIG', 'RESETSTAT')));
}

async function getCallsOf(servers: readonly RedisServer[]): Promise<number[]> {
  return Promise.all(servers.map(getCalls));
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** Opens stores and closes them after the block. */
function useStores(): (options: ReplicatedStoreOptions) => Promise<ReplicatedStore> {
  const stores: ReplicatedStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  return async (options) => {
    const store = await readyStore(options);
    stores.push(store);
    return store;
  };
}

describeWithBackend('redis', "ReplicatedStore: hedged reads (readPolicy 'first')", () => {
  describe('three healthy servers', () => {
    const servers = useOwnServers(3);
    const prefix = uniquePrefix('hedge-healthy');
    const open = useStores();

    test('a get sends GET to one server only, and gets take turns over the servers', async () => {
      // A long hedge delay: this is about the server asked first, not about a busy machine's hiccups.
      const store = await open({ clients: urlsOf(servers()), prefix, hedgeDelay: 1000 });
      await store.set('one', session({ n: 1 }));
      await store.idle();
      await resetStats(servers());
      expect(await store.get('one')).toMatchObject({ n: 1 });
      await store.idle();
      expect(sum(await getCallsOf(servers()))).toBe(1);

      // Equally fast servers take turns (one that looked slower by chance is tried again
      // once its estimate fades): still one GET per read.
      await resetStats(servers());
      let reads = 0;
      let calls = [0, 0, 0];
      const deadline = Date.now() + 10_000;
      while (calls.filter((count) => count > 0).length < 2 && Date.now() < deadline) {
        for (let read = 0; read < 30; read++) expect(await store.get('one')).toMatchObject({ n: 1 });
        reads += 30;
        await store.idle();
        calls = await getCallsOf(servers());
      }
      expect(sum(calls)).toBe(reads);
      expect(calls.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('two fast servers and one 20 ms away', () => {
    const servers = useOwnServers(3);
    const prefix = uniquePrefix('hedge-miss');
    const proxy = useStarted(
      'the resource',
      () => startDelayProxy(servers()[2] as RedisServer, 20),
      (p) => p.stop(),
    );
    const open = useStores();
    let count = 0;
    const sid = () => `s${++count}`;
    const onServers = (id: string) =>
      Promise.all(servers().map(async (server) => text(await server.command('GET', prefix + id))));
    /**
     * A store whose slow server, once measured (by a write), is never asked first. A long
     * hedge delay: these are about what the server asked first answers, not about a busy
     * machine's hiccups.
     */
    const store = async (): Promise<ReplicatedStore> => {
      const [zero, one] = urlsOf(servers());
      return open({
        clients: [
          zero as { url: string },
          one as { url: string },
          { host: proxy().host, port: proxy().port },
        ],
        prefix,
        hedgeDelay: 1000,
      });
    };

    test('a miss on the server asked first: the session comes from another, and the servers that missed are repaired', async () => {
      const s = await store();
      const id = sid();
      await s.set(id, session({ user: 'kept' }));
      await s.idle();
      // The two fast servers lost the session (say, restarted empty without the store noticing).
      await servers()[0]?.command('DEL', prefix + id);
      await servers()[1]?.command('DEL', prefix + id);
      const [, , copy] = await onServers(id);
      await resetStats(servers());
      expect(await s.get(id)).toMatchObject({ user: 'kept' });
      await s.idle();
      // One fast server asked first (a miss), then the other two at once.
      expect(await getCallsOf(servers())).toEqual([1, 1, 1]);
      expect(await onServers(id)).toEqual([copy, copy, copy]);
    });

    test('a tombstone on the server asked first is a miss: no other server is asked', async () => {
      const s = await store();
      const id = sid();
      await s.set(id, session({ user: 'destroyed' }));
      await s.idle();
      // The destroy reached the fast servers only: the slow one still holds the session.
      const tombstone = tombstoneEnvelope(Date.now() * 1000 + 1_000_000);
      await servers()[0]?.command('SET', prefix + id, tombstone, 'PX', '600000');
      await servers()[1]?.command('SET', prefix + id, tombstone, 'PX', '600000');
      await resetStats(servers());
      expect(await s.get(id)).toBeNull();
      await s.idle();
      const calls = await getCallsOf(servers());
      expect(sum(calls)).toBe(1);
      expect(calls[2]).toBe(0);
    });
  });

  describe('a server that becomes slow (1 s each way)', () => {
    // Slow enough that a read which waited for it (2 s or more) cannot pass for a busy
    // machine's hiccup: reads that did not wait took up to 410 ms under stress-ng --cpu 4.
    const SLOW_MS = 1000;
    const servers = useOwnServers(3);
    const prefix = uniquePrefix('hedge-slow');
    // Every server through a proxy, so that they all start equally fast.
    const proxies = useStarted(
      'the resource',
      () => Promise.all(servers().map((server) => startDelayProxy(server, 0))),
      async (all: DelayProxy[]) => {
        await Promise.all(all.map((p) => p.stop()));
      },
    );
    const open = useStores();

    test('the hedge answers long before the slow server would; then the slow server is no longer asked first', async () => {
      const store = await open({
        clients: proxies().map((p) => ({ host: p.host, port: p.port })),
        prefix,
      });
      const sids = Array.from({ length: 10 }, (_, n) => `s${n}`);
      await Promise.all(sids.map((id) => store.set(id, session({ id }))));
      await store.idle();
      for (const id of sids) await store.get(id); // every server measured, all about as fast
      await store.idle();

      proxies()[2]?.setDelay(SLOW_MS);
      await resetStats(servers());
      // Read until the slow server's turn came (equally fast servers take turns; one that looked
      // slower by chance is tried again once its estimate fades): no read may wait for it, as a
      // round trip to it takes over 2 s and the hedge delay is 5 ms. The bound leaves a loaded
      // machine 1 s of slack, yet no read that waited for the slow server could meet it.
      const times: number[] = [];
      const deadline = Date.now() + 10_000;
      let asked = 0;
      while (asked === 0 && Date.now() < deadline) {
        for (let read = 0; read < 10; read++) {
          const id = sids[read % sids.length] as string;
          const started = performance.now();
          expect(await store.get(id)).toMatchObject({ id });
          times.push(performance.now() - started);
        }
        await sleep(2 * SLOW_MS + 100); // its answers arrive
        asked = (await getCallsOf(servers()))[2] as number;
      }
      expect(asked).toBeGreaterThanOrEqual(1);
      expect(Math.max(...times)).toBeLessThan(SLOW_MS);

      await resetStats(servers());
      for (let read = 0; read < 60; read++) {
        const id = sids[read % sids.length] as string;
        expect(await store.get(id)).toMatchObject({ id });
      }
      await sleep(2 * SLOW_MS + 100);
      const calls = await getCallsOf(servers());
      // Now measured as slow: asked only when a hedge fires (a fast server slower than 5 ms), not in turn (~20 of 60).
      expect(calls[2]).toBeLessThanOrEqual(5);
      expect((calls[0] as number) + (calls[1] as number)).toBeGreaterThanOrEqual(60);
    }, 30_000);
  });

  describe('servers behind are resynced in the background', () => {
    const servers = useOwnServers(3);
    const prefix = uniquePrefix('resync');
    const open = useStores();

    test('a server killed and restarted empty is refilled without any read; then gets ask one server again', async () => {
      const store = await open({ clients: urlsOf(servers()), prefix: `${prefix}a:`, hedgeDelay: 1000 });
      const without = await open({ clients: urlsOf(servers()), prefix: `${prefix}b:`, readRepair: false });
      const sids = Array.from({ length: 300 }, (_, n) => `s${n}`);
      for (const s of [store, without]) {
        await Promise.all(sids.map((id) => s.set(id, session({ id }))));
        await s.idle();
      }
      await servers()[1]?.kill();
      await waitUntil(() => store.reachableServers === 2 && without.reachableServers === 2);
      await servers()[1]?.restart();
      await waitUntil(() => store.reachableServers === 3 && without.reachableServers === 3);
      const restarted = servers()[1] as RedisServer;
      expect(store.serversBehind).toBe(1);
      expect(without.serversBehind).toBe(0);

      await Promise.all([store.idle(), without.idle()]);
      expect(store.serversBehind).toBe(0);
      expect(await countKeys(restarted, `${prefix}a:`)).toBe(sids.length);
      // The same bytes as on the others.
      const key = `${prefix}a:${sids[7]}`;
      expect(await restarted.command('GET', key)).toBe(await servers()[0]?.command('GET', key));
      expect(Number(await restarted.command('PTTL', key))).toBeGreaterThan(0);
      // readRepair: false: nothing repairs, nothing resyncs.
      expect(await countKeys(restarted, `${prefix}b:`)).toBe(0);

      await resetStats(servers());
      expect(await store.get(sids[0] as string)).toMatchObject({ id: sids[0] });
      await store.idle();
      expect(sum(await getCallsOf(servers()))).toBe(1);
    }, 30_000);

    test('a server that failed a write which reached the quorum is resynced', async () => {
      const store = await open({ clients: urlsOf(servers()), prefix: `${prefix}w:`, hedgeDelay: 1000 });
      const errors: unknown[] = [];
      store.on('error', (err) => errors.push(err));
      const full = servers()[2] as RedisServer;
      // Out of memory: server 2 refuses writes but answers reads.
      await full.command('CONFIG', 'SET', 'maxmemory', '1');
      try {
        await store.set('w1', session({ user: 'written' }));
        await waitUntil(() => store.serversBehind === 1, { what: 'server 2 to be marked behind' });
        expect(errors.length).toBeGreaterThan(0);
        // While it is behind, reads ask every server.
        await resetStats(servers());
        expect(await store.get('w1')).toMatchObject({ user: 'written' });
        // (The resync may be reading too: at least the three of this read.)
        expect(sum(await getCallsOf(servers()))).toBeGreaterThanOrEqual(3);
      } finally {
        await full.command('CONFIG', 'SET', 'maxmemory', '0');
      }
      // The resync (or its retry, after a pass that met the full server) copies the session over.
      await waitUntil(() => store.serversBehind === 0, { timeoutMs: 15_000, what: 'the resync' });
      await store.idle();
      const key = `${prefix}w:w1`;
      expect(await full.command('GET', key)).toBe(await servers()[0]?.command('GET', key));
    }, 30_000);
  });
});
