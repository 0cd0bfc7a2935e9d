/**
 * The store keeps everything it sends within the client's `maxConnsPerNode`, so a busy
 * server or a burst never turns into ERR_NO_MORE_CONNECTIONS of the store's own making:
 * timed-out commands give their connection back, and scans wait for a slot like commands.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import * as Aerospike from 'aerospike';
import { AerospikeStore } from '../src';
import { NAMESPACE, uniqueSet, useAerospike, waitFor } from './helpers';
import { startProxy, type TcpProxy } from './outage';

const set = uniqueSet('conn-cap');
const backend = useAerospike([set]);
let proxy: TcpProxy;
const stores: AerospikeStore[] = [];

beforeAll(async () => {
  proxy = await startProxy(backend().hosts);
});
afterEach(async () => {
  await proxy.flow();
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => proxy.stop());

const session = (n: number) => ({ n }) as unknown as SessionData;

/** A store with its own client, through the proxy, with at most `maxConnsPerNode` connections. */
async function cappedStore(prefix: string, maxConnsPerNode: number, writeTimeoutMs: number) {
  const store = new AerospikeStore({
    hosts: proxy.hostsString,
    namespace: NAMESPACE,
    set,
    prefix,
    maxConnsPerNode,
    policies: { write: { totalTimeout: writeTimeoutMs } },
  });
  stores.push(store);
  await store.ready(10_000);
  return store;
}

/** The aerospike result code behind each failure, `'ok'` for a success. */
async function outcomes(calls: Array<Promise<unknown>>): Promise<Array<number | 'ok'>> {
  const settled = await Promise.allSettled(calls);
  return settled.map((result) =>
    result.status === 'fulfilled'
      ? 'ok'
      : ((result.reason as { cause?: { code?: number } }).cause?.code ?? -999),
  );
}

describe('connection cap', () => {
  test('commands that time out awaiting their reply free their connection: the next ones time out too, never ERR_NO_MORE_CONNECTIONS', async () => {
    const store = await cappedStore('timeouts:', 4, 300);
    await proxy.stall();
    // Three rounds of the cap: each round's commands are sent as the previous round's time out.
    const codes = await outcomes(Array.from({ length: 12 }, (_, n) => store.set(`s${n}`, session(n))));
    expect(codes).toEqual(Array.from({ length: 12 }, () => Aerospike.status.ERR_TIMEOUT));
    await proxy.flow();
    const works = () =>
      store.set('after', session(1)).then(
        () => true,
        () => false,
      );
    expect(await waitFor(works, 10_000)).toBe(true);
  });

  test('a scan waits for a slot while commands fill the cap, instead of failing for lack of a connection', async () => {
    const store = await cappedStore('scans:', 2, 10_000);
    await proxy.stall();
    // Two writes take both connections and wait for their replies...
    const writes = [store.set('a', session(1)), store.set('b', session(2))];
    // ...so the scans must wait for them: sent now, they would find no connection.
    const listed = store.ids();
    const counted = store.length();
    await proxy.flow();
    expect(await outcomes(writes)).toEqual(['ok', 'ok']);
    expect((await listed).sort()).toEqual(['a', 'b']);
    expect(await counted).toBe(2);
  });
});
