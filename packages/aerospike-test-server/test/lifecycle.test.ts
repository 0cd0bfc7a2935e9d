/**
 * Time-dependent behaviour with the official client: TTL expiry in real
 * time, and an outage simulated with pause()/resume().
 */
import { describe, expect, test } from '@jest/globals';
import * as Aerospike from 'aerospike';
import { codeOf, collectRecords, useServerWithClient } from './client-helpers';
import { sleep } from './helpers';

const key = (k: string, set = 'sessions'): Aerospike.Key => new Aerospike.Key('test', set, k);

describe('TTL expiry in real time', () => {
  const { server, client } = useServerWithClient();

  test('a record with ttl 1 disappears from get, exists and scans within 2.5 s', async () => {
    const policy = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND });
    await client().put(key('short', 'exp'), { a: 1 }, { ttl: 1 }, policy);
    await client().put(key('long', 'exp'), { a: 2 }, { ttl: 60 }, policy);
    expect((await client().get(key('short', 'exp'))).bins).toEqual({ a: 1 });
    const t0 = Date.now();
    let goneAfter = -1;
    while (Date.now() - t0 < 3000) {
      const code = await codeOf(client().get(key('short', 'exp')));
      if (code === Aerospike.status.ERR_RECORD_NOT_FOUND) {
        goneAfter = Date.now() - t0;
        break;
      }
      await sleep(100);
    }
    expect(goneAfter).toBeGreaterThanOrEqual(0);
    expect(goneAfter).toBeLessThanOrEqual(2500);
    expect(await client().exists(key('short', 'exp'))).toBe(false);
    expect((await collectRecords(client().scan('test', 'exp').foreach())).map((r) => r.key.key)).toEqual([
      'long',
    ]);
    expect(
      server()
        .records('test', 'exp')
        .map((r) => r.key),
    ).toEqual(['long']);
    // a write to the expired key creates a fresh record (generation 1)
    await client().put(key('short', 'exp'), { a: 3 });
    expect((await client().get(key('short', 'exp'))).gen).toBe(1);
  });
});

describe('pause() / resume()', () => {
  const fast = { totalTimeout: 500, socketTimeout: 500, maxRetries: 0 };
  const { server, client } = useServerWithClient({
    policies: { read: new Aerospike.ReadPolicy(fast), write: new Aerospike.WritePolicy(fast) },
  });

  test('ops fail fast while paused, data survives, the client recovers by itself after resume', async () => {
    await client().put(key('p1'), { v: 'kept' });
    await server().pause();
    const t0 = Date.now();
    const code = await codeOf(client().get(key('p1')));
    const failMs = Date.now() - t0;
    expect(code).not.toBe('resolved');
    expect(failMs).toBeLessThan(1500);
    // stay down across a few tend rounds (1 s each), so the client notices the node is gone
    await sleep(2500);
    const t2 = Date.now();
    expect(await codeOf(client().put(key('p2'), { v: 1 }))).not.toBe('resolved');
    expect(Date.now() - t2).toBeLessThan(1500);

    await server().resume();
    const t1 = Date.now();
    let recoveredMs = -1;
    while (Date.now() - t1 < 10_000) {
      const r = await codeOf(client().get(key('p1')));
      if (r === 'resolved') {
        recoveredMs = Date.now() - t1;
        break;
      }
      await sleep(100);
    }
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect((await client().get(key('p1'))).bins).toEqual({ v: 'kept' });
    expect(client().isConnected()).toBe(true);
  });
});
