/**
 * clear(): with the default empty prefix the set is the store's own and is truncated;
 * with a prefix only that prefix's keys go. Scans list only records whose key was stored.
 */
import { describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import * as Aerospike from 'aerospike';
import { AerospikeStore } from '../src';
import { NAMESPACE, putRaw, uniqueSet, useAerospike } from './helpers';

const whole = uniqueSet('clear-all');
const shared = uniqueSet('clear-prefix');
const rounds = uniqueSet('clear-rounds');
const backend = useAerospike([whole, shared, rounds]);

const session = (n: number) => ({ n }) as unknown as SessionData;

function countRecords(set: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const stream = backend().client.scan(NAMESPACE, set, { nobins: true }).foreach();
    stream.on('data', () => {
      count += 1;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(count));
  });
}

describe('clear', () => {
  test('with no prefix it truncates the set and resolves once a scan finds it empty', async () => {
    const store = new AerospikeStore({ client: backend().client, namespace: NAMESPACE, set: whole });
    await Promise.all(Array.from({ length: 300 }, (_, n) => store.set(`s${n}`, session(n))));
    // A record without a stored key (as aerospike-session-store wrote them) goes too.
    await backend().client.put(new Aerospike.Key(NAMESPACE, whole, 'digest-only'), { session: '{}' });
    expect(await countRecords(whole)).toBe(301);
    await store.clear();
    expect(await countRecords(whole)).toBe(0);
    expect(await store.length()).toBe(0);
    await store.set('after', session(1));
    expect(await store.ids()).toEqual(['after']);
    await new Promise<void>((resolve, reject) => store.clear((err) => (err ? reject(err) : resolve())));
    expect(await countRecords(whole)).toBe(0);
    await store.close();
  });

  test('with no prefix it also removes sessions written just before it, round after round', async () => {
    // Aerospike's truncate keeps records updated in the millisecond of its cutoff, and
    // ignores a truncate whose cutoff is not later than the previous one: a clear() that
    // follows writes (or another clear) closely must still remove everything.
    const store = new AerospikeStore({ client: backend().client, namespace: NAMESPACE, set: rounds });
    for (let round = 0; round < 25; round += 1) {
      await store.clear();
      await Promise.all([store.set(`a${round}`, session(round)), store.set(`b${round}`, session(round))]);
      await store.clear();
      expect(await countRecords(rounds)).toBe(0);
    }
    await store.close();
  });

  test('with a prefix it removes only that prefix’s sessions from the shared set', async () => {
    const mine = new AerospikeStore({
      client: backend().client,
      namespace: NAMESPACE,
      set: shared,
      prefix: 'mine:',
    });
    const theirs = new AerospikeStore({
      client: backend().client,
      namespace: NAMESPACE,
      set: shared,
      prefix: 'theirs:',
    });
    await Promise.all(Array.from({ length: 250 }, (_, n) => mine.set(`s${n}`, session(n))));
    await theirs.set('kept', session(1));
    await mine.clear();
    expect(await mine.length()).toBe(0);
    expect(await theirs.ids()).toEqual(['kept']);
    await mine.close();
    await theirs.close();
  });

  test('records without a stored key cannot be listed: ids, all and length skip them', async () => {
    const store = new AerospikeStore({
      client: backend().client,
      namespace: NAMESPACE,
      set: shared,
      prefix: 'keys:',
    });
    await store.set('listed', session(1));
    await backend().client.put(new Aerospike.Key(NAMESPACE, shared, 'keys:unlisted'), { session: '{}' });
    await putRaw(backend().client, store, 'raw-with-key', { session: '{"n":2}' });
    expect((await store.ids()).sort()).toEqual(['listed', 'raw-with-key']);
    expect(await store.length()).toBe(2);
    expect((await store.all()).map((s) => s.id).sort()).toEqual(['listed', 'raw-with-key']);
    // It still exists and can be read by id.
    expect(await store.get('unlisted')).toEqual({});
    await store.close();
  });

  test('clear after close fails with ERR_STORE_CLOSED, with or without a prefix', async () => {
    for (const prefix of ['', 'closed:']) {
      const store = new AerospikeStore({
        client: backend().client,
        namespace: NAMESPACE,
        set: shared,
        prefix,
      });
      await store.close();
      await expect(store.clear()).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    }
  });
});
