import { afterAll, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, uniquePrefix } from '@session-stores/test-servers';
import type { ReplicatedStore } from '../src';
import { jsonEnvelope, readHeader, tombstoneEnvelope } from '../src/envelope';
import { readyStore, text, urlsOf, useOwnServers } from './helpers';

/** An envelope as the store writes it, at a version, with the given data. */
function stored(version: number, data: Record<string, unknown>): string {
  const cookie = JSON.stringify({
    originalMaxAge: 600_000,
    expires: new Date(Date.now() + 600_000),
    path: '/',
  });
  return jsonEnvelope(version, cookie, JSON.stringify(data));
}

const versionOf = (value: string | null): number | undefined =>
  value === null ? undefined : readHeader(value).version;

/**
 * Core's overlapping-requests protection on three servers: a save of a loaded session is
 * written where the server still holds the version it loaded, and needs writeQuorum of them;
 * where it landed without a quorum it is taken back, so no copy outranks the one that won.
 */
describeWithBackend('redis', 'ReplicatedStore: conditional saves across servers', () => {
  const servers = useOwnServers(3);
  const prefix = uniquePrefix('cas');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;
  const stores: ReplicatedStore[] = [];
  const open = async (): Promise<ReplicatedStore> => {
    // 'newest' reads: the test decides which copy a read meets by what the majority holds.
    const store = await readyStore({ clients: urlsOf(servers()), prefix, readPolicy: 'newest' });
    stores.push(store);
    return store;
  };
  afterAll(() => Promise.all(stores.splice(0).map((store) => store.close())));
  const onServers = (id: string): Promise<Array<string | null>> =>
    Promise.all(servers().map(async (server) => text(await server.command('GET', prefix + id))));
  const writeRaw = async (index: number, id: string, value: string): Promise<void> => {
    await servers()[index]?.command('SET', prefix + id, value, 'PX', '600000');
  };

  test('a save that lost on a majority is taken back where it landed, then merged and written over the winner', async () => {
    const store = await open();
    const id = sid();
    const base = Date.now() * 1000 - 5_000_000;
    for (const index of [0, 1, 2]) await writeRaw(index, id, stored(base, { a: 1 }));
    const loaded = (await store.get(id)) as unknown as Record<string, unknown>;
    // Another request's save reached servers 1 and 2 (a quorum) but not yet server 0.
    const winner = stored(base + 1_000_000, { a: 1, other: 'kept' });
    await writeRaw(1, id, winner);
    await writeRaw(2, id, winner);
    loaded.mine = 'kept too';
    await store.set(id, loaded as never);
    await store.idle();
    expect(await store.get(id)).toMatchObject({ a: 1, other: 'kept', mine: 'kept too' });
    await store.idle();
    // Every server converged (server 0 by the read's repair) on the merged copy: one version everywhere, above the winner's.
    const copies = await onServers(id);
    expect(new Set(copies).size).toBe(1);
    expect(versionOf(copies[0] ?? null)).toBeGreaterThan(base + 1_000_000);
  });

  test('a save over a session destroyed on a majority writes nothing, and its copy on the last server goes back', async () => {
    const store = await open();
    const id = sid();
    const base = Date.now() * 1000 - 5_000_000;
    for (const index of [0, 1, 2]) await writeRaw(index, id, stored(base, { user: 'ann' }));
    const loaded = (await store.get(id)) as unknown as Record<string, unknown>;
    // A logout reached servers 1 and 2; server 0 still holds the session.
    const tombstone = tombstoneEnvelope(base + 1_000_000);
    await writeRaw(1, id, tombstone);
    await writeRaw(2, id, tombstone);
    loaded.cart = ['book'];
    await store.set(id, loaded as never);
    await store.idle();
    // Server 0 took the write back: its copy is at the loaded version again, below the tombstone.
    expect(versionOf((await onServers(id))[0] ?? null)).toBe(base);
    expect(await store.get(id)).toBeNull();
    await store.idle();
    expect(await onServers(id)).toEqual([tombstone, tombstone, tombstone]);
  });

  test('a save over a version that a majority still holds is written, and the odd server is repaired', async () => {
    const store = await open();
    const id = sid();
    const base = Date.now() * 1000 - 5_000_000;
    for (const index of [0, 1, 2]) await writeRaw(index, id, stored(base, { n: 1 }));
    const loaded = (await store.get(id)) as unknown as Record<string, unknown>;
    // A save that lost elsewhere left an older copy of its own on server 0 only.
    await writeRaw(0, id, stored(base - 1, { n: 'stale' }));
    loaded.n = 2;
    await store.set(id, loaded as never);
    expect(await store.get(id)).toMatchObject({ n: 2 });
    await store.idle();
    const copies = await onServers(id);
    expect(copies[1]).toBe(copies[2]);
    expect(versionOf(copies[1] ?? null)).toBeGreaterThan(base);
  });
});
