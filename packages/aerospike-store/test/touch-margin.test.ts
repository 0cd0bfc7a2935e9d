/** touchMargin on Aerospike: the read reports the record's expiry, so covered touches send nothing. */
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import * as Aerospike from 'aerospike';
import { AerospikeStore } from '../src';
import { expiryOf } from '../src/aerospike-store';
import { keyOf, NAMESPACE, uniqueSet, useAerospike } from './helpers';

const set = uniqueSet('margin');
const backend = useAerospike([set]);
const stores: AerospikeStore[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  for (const store of stores.splice(0)) await store.close();
});

function storeWith(touchMargin: number, prefix = ''): AerospikeStore {
  const store = new AerospikeStore({
    client: backend().client,
    namespace: NAMESPACE,
    set,
    prefix,
    touchMargin,
  });
  stores.push(store);
  return store;
}

/** A session whose cookie expires `maxAgeMs` from now. */
function session(maxAgeMs: number, data: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), path: '/' },
    ...data,
  } as unknown as SessionData;
}

/** express-session's touch argument: the loaded session with its cookie expiring `maxAgeMs` from now. */
function touched(loaded: SessionData, maxAgeMs: number): SessionData {
  const cookie = { ...(loaded.cookie as object), expires: new Date(Date.now() + maxAgeMs) };
  return Object.assign(loaded, { cookie }) as SessionData;
}

/** The record's generation and TTL (seconds) as the server holds them. */
async function recordMeta(store: AerospikeStore, sid: string): Promise<{ gen: number; ttl: number }> {
  const { gen, ttl } = await backend().client.get(keyOf(store, sid));
  return { gen: gen as number, ttl: ttl as number };
}

/** Counts the commands that could write a touch (operate, put) the store sends on the shared client. */
function countWrites(): () => number {
  const { client } = backend();
  const operate = jest.spyOn(client, 'operate');
  const put = jest.spyOn(client, 'put');
  return () => operate.mock.calls.length + put.mock.calls.length;
}

describe('expiryOf (the reported TTL as an expiry no later than the server’s)', () => {
  test('whole seconds remaining: one second less, counted from before the read was sent', () => {
    expect(expiryOf(66, 1_000_000)).toBe(1_065_000);
    // The client's floor for a record at its last second: no later than the read itself.
    expect(expiryOf(1, 1_000_000)).toBe(1_000_000);
  });

  test('never expires: -1 as the node client reports it, 0xFFFFFFFF as the C client does', () => {
    expect(expiryOf(Aerospike.ttl.NEVER_EXPIRE, 5)).toBe(Number.POSITIVE_INFINITY);
    expect(expiryOf(0xffff_ffff, 5)).toBe(Number.POSITIVE_INFINITY);
  });

  test('anything a read should not give tells nothing', () => {
    for (const ttl of [0, -2, 1.5, undefined, '66']) expect(expiryOf(ttl, 5)).toBeUndefined();
  });
});

describe('touches with touchMargin 0.1', () => {
  test('a save gives the record the TTL plus the margin', async () => {
    const store = storeWith(0.1);
    await store.set('saved', session(60_000));
    const { ttl } = await recordMeta(store, 'saved');
    expect(ttl).toBeGreaterThan(60);
    expect(ttl).toBeLessThanOrEqual(66);
  });

  test('a touch the stored expiry covers sends nothing: generation and TTL unchanged', async () => {
    const store = storeWith(0.1);
    await store.set('covered', session(60_000, { v: 1 }));
    const before = await recordMeta(store, 'covered');
    const loaded = (await store.get('covered')) as SessionData;
    const writes = countWrites();
    // One second later than the save's cookie: inside the 6 s margin the record already has.
    await store.touch('covered', touched(loaded, 61_000));
    expect(writes()).toBe(0);
    const after = await recordMeta(store, 'covered');
    expect(after.gen).toBe(before.gen);
    expect(after.ttl).toBeLessThanOrEqual(before.ttl);
  });

  test('a touch past the stored expiry is written, with its own margin', async () => {
    const store = storeWith(0.1);
    await store.set('uncovered', session(60_000, { v: 1 }));
    const before = await recordMeta(store, 'uncovered');
    const loaded = (await store.get('uncovered')) as SessionData;
    const writes = countWrites();
    // 70 s: beyond the record's 66 s, so skipping would let the session expire early.
    await store.touch('uncovered', touched(loaded, 70_000));
    expect(writes()).toBe(1);
    const after = await recordMeta(store, 'uncovered');
    expect(after.gen).toBe(before.gen + 1);
    expect(after.ttl).toBeGreaterThan(70);
    expect(after.ttl).toBeLessThanOrEqual(77);
  });

  test('a session saved without the margin is touched (its record expires with the cookie)', async () => {
    const plain = storeWith(0, 'shared:');
    const lazy = storeWith(0.1, 'shared:');
    await plain.set('plain', session(60_000));
    const loaded = (await lazy.get('plain')) as SessionData;
    const writes = countWrites();
    await lazy.touch('plain', touched(loaded, 60_500));
    expect(writes()).toBe(1);
    expect((await recordMeta(lazy, 'plain')).ttl).toBeGreaterThan(60);
  });

  test('a session the store did not read this time is touched', async () => {
    const store = storeWith(0.1);
    await store.set('unread', session(60_000));
    const writes = countWrites();
    await store.touch('unread', session(60_000));
    expect(writes()).toBe(1);
  });

  test('without the margin every touch is written', async () => {
    const store = storeWith(0);
    await store.set('every', session(60_000));
    const loaded = (await store.get('every')) as SessionData;
    const before = await recordMeta(store, 'every');
    const writes = countWrites();
    await store.touch('every', touched(loaded, 60_000));
    expect(writes()).toBe(1);
    expect((await recordMeta(store, 'every')).gen).toBe(before.gen + 1);
  });
});
