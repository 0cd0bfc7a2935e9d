/**
 * End-to-end tests with the unmodified official client (aerospike@6.7.1)
 * against this server().
 */
import { describe, expect, test } from '@jest/globals';
import * as Aerospike from 'aerospike';
import { codeOf, collectRecords, useServerWithClient } from './client-helpers';

const NS = 'test';
const SET = 'sessions';
const sendKey = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND });
const key = (k: string, ns = NS, set = SET): Aerospike.Key => new Aerospike.Key(ns, set, k);

/** 2010-01-01T00:00:00Z in Unix ms: Aerospike's last-update-times count from it. */
const CITRUSLEAF_EPOCH_MS = 1_262_304_000_000;
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the clock has moved more than 1 ms on, so the next truncate's cutoff is later than what was written. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() < start + 2) await sleepMs(1);
}

describe('official client against the test server', () => {
  const { server, client } = useServerWithClient();

  /** Truncates `set` with an explicit cutoff (Unix ms, sent as `lut` in ns); returns the reply's value. */
  async function truncateTo(set: string, unixMs: number): Promise<string> {
    const reply = await client().infoAny(
      `truncate:namespace=${NS};set=${set};lut=${BigInt(unixMs) * 1_000_000n}`,
    );
    return reply.slice(reply.indexOf('\t') + 1).trim();
  }

  /** The set's truncate_lut as `sets` reports it (citrusleaf-epoch ms). */
  async function truncateLut(set: string): Promise<number> {
    const reply = await client().infoAny(`sets/${NS}/${set}`);
    return Number(/truncate_lut=(\d+)/.exec(reply)?.[1]);
  }

  test('connects to a one-node cluster', () => {
    expect(client().isConnected()).toBe(true);
    const nodes = client().getNodes();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]?.name).toBe(server().nodeName);
  });

  test('put/get round trip with ttl, generation and key SEND', async () => {
    await client().put(key('rt'), { session: '{"user":"alice"}', n: 7, f: 1.5 }, { ttl: 60 }, sendKey);
    const r = await client().get(key('rt'));
    expect(r.bins).toEqual({ session: '{"user":"alice"}', n: 7, f: 1.5 });
    expect(r.gen).toBe(1);
    expect(r.ttl).toBeGreaterThanOrEqual(58);
    expect(r.ttl).toBeLessThanOrEqual(60);
    await client().put(key('rt'), { n: 8 }, { ttl: 30 });
    const r2 = await client().get(key('rt'));
    expect(r2.gen).toBe(2);
    expect(r2.bins).toEqual({ session: '{"user":"alice"}', n: 8, f: 1.5 });
    expect(r2.ttl).toBeLessThanOrEqual(30);
    const stored = server()
      .records(NS, SET)
      .find((x) => x.key === 'rt');
    expect(stored?.bins.n).toBe(8);
  });

  test('ttl -1 never expires, ttl 0 takes the namespace default (0 = never)', async () => {
    await client().put(key('forever'), { a: 1 }, { ttl: -1 });
    expect((await client().get(key('forever'))).ttl).toBe(-1);
    await client().put(key('default'), { a: 1 }, { ttl: 0 });
    expect((await client().get(key('default'))).ttl).toBe(-1);
  });

  test('get of a missing key fails with ERR_RECORD_NOT_FOUND (2)', async () => {
    expect(await codeOf(client().get(key('no-such-key')))).toBe(Aerospike.status.ERR_RECORD_NOT_FOUND);
  });

  test('exists', async () => {
    await client().put(key('ex'), { a: 1 });
    expect(await client().exists(key('ex'))).toBe(true);
    expect(await client().exists(key('no-such-key'))).toBe(false);
  });

  test('select returns only the named bins', async () => {
    await client().put(key('sel'), { a: 1, b: 'two', c: 3 });
    const r = await client().select(key('sel'), ['a', 'b']);
    expect(r.bins).toEqual({ a: 1, b: 'two' });
  });

  test('operate [touch, write, read] bumps generation once and sets the TTL', async () => {
    await client().put(key('op'), { session: 'v1' }, { ttl: 60 }, sendKey);
    const r = await client().operate(key('op'), [
      Aerospike.operations.touch(120),
      Aerospike.operations.write('session', 'v2'),
      Aerospike.operations.read('session'),
    ]);
    expect(r.bins).toEqual({ session: 'v2' });
    expect(r.gen).toBe(2);
    expect(r.ttl).toBeGreaterThanOrEqual(118);
    expect(r.ttl).toBeLessThanOrEqual(120);
  });

  test('operate incr/append and touch of a missing record', async () => {
    await client().put(key('calc'), { n: 1, s: 'a' });
    const r = await client().operate(key('calc'), [
      Aerospike.operations.incr('n', 41),
      Aerospike.operations.append('s', 'bc'),
      Aerospike.operations.read('n'),
      Aerospike.operations.read('s'),
    ]);
    expect(r.bins).toEqual({ n: 42, s: 'abc' });
    expect(await codeOf(client().operate(key('calc'), [Aerospike.operations.incr('s', 1)]))).toBe(
      Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE,
    );
    expect(await codeOf(client().operate(key('no-such-key'), [Aerospike.operations.touch(10)]))).toBe(
      Aerospike.status.ERR_RECORD_NOT_FOUND,
    );
  });

  test('remove, then remove again fails with 2', async () => {
    await client().put(key('rm'), { a: 1 });
    await client().remove(key('rm'));
    expect(await codeOf(client().get(key('rm')))).toBe(2);
    expect(await codeOf(client().remove(key('rm')))).toBe(Aerospike.status.ERR_RECORD_NOT_FOUND);
  });

  test('exists/gen policies: CREATE_ONLY → 5, UPDATE_ONLY on missing → 2, generation mismatch → 3', async () => {
    await client().put(key('pol'), { a: 1 });
    const create = new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE });
    expect(await codeOf(client().put(key('pol'), { a: 2 }, {}, create))).toBe(
      Aerospike.status.ERR_RECORD_EXISTS,
    );
    const update = new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.UPDATE });
    expect(await codeOf(client().put(key('pol-missing'), { a: 2 }, {}, update))).toBe(2);
    const genEq = new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ });
    expect(await codeOf(client().put(key('pol'), { a: 3 }, { gen: 5 }, genEq))).toBe(
      Aerospike.status.ERR_RECORD_GENERATION,
    );
    await client().put(key('pol'), { a: 3 }, { gen: 1 }, genEq);
    expect((await client().get(key('pol'))).bins).toEqual({ a: 3 });
  });

  test('unknown namespace is rejected by the client (not in the partition map)', async () => {
    expect(await codeOf(client().get(key('x', 'nosuchns')))).not.toBe('resolved');
  });

  test('scan returns stored keys; nobins scan returns metadata + key only', async () => {
    const set = 'scanset';
    for (const i of [1, 2, 3])
      await client().put(key(`s-${i}`, NS, set), { session: `v${i}`, n: i }, { ttl: 60 }, sendKey);
    await client().put(key('s-nokey', NS, set), { session: 'x', n: 9 });
    const all = await collectRecords(client().scan(NS, set).foreach());
    expect(all).toHaveLength(4);
    const keyed = all.filter((r) => r.key.key !== undefined && r.key.key !== null);
    expect(keyed.map((r) => r.key.key).sort()).toEqual(['s-1', 's-2', 's-3']);
    for (const r of keyed) {
      expect(r.bins.session).toBe(`v${r.bins.n as number}`);
      expect(r.ttl).toBeGreaterThan(55);
      expect(r.gen).toBe(1);
    }
    const scan = client().scan(NS, set);
    scan.nobins = true;
    const meta = await collectRecords(scan.foreach());
    expect(meta).toHaveLength(4);
    for (const r of meta) expect(Object.keys(r.bins ?? {})).toHaveLength(0);
    expect(
      meta
        .map((r) => r.key.key)
        .filter((k) => k !== undefined && k !== null)
        .sort(),
    ).toEqual(['s-1', 's-2', 's-3']);
  });

  test('scan of a set that was never written returns nothing', async () => {
    expect(await collectRecords(client().scan(NS, 'never-written').foreach())).toHaveLength(0);
  });

  test('query without filter behaves like a scan; range filter needs an index', async () => {
    const set = 'qset';
    for (const i of [1, 2, 3, 4]) await client().put(key(`q-${i}`, NS, set), { n: i }, {}, sendKey);
    expect(await collectRecords(client().query(NS, set).foreach())).toHaveLength(4);
    const job = await client().createIntegerIndex({ ns: NS, set, bin: 'n', index: 'qset_n' });
    await job.wait(50);
    const q = client().query(NS, set);
    q.where(Aerospike.filter.range('n', 2, 3));
    const hits = await collectRecords(q.foreach());
    expect(hits.map((r) => r.key.key).sort()).toEqual(['q-2', 'q-3']);
    await client().indexRemove(NS, 'qset_n');
  });

  test('batchRead with a missing key', async () => {
    await client().put(key('b1'), { v: 1 });
    await client().put(key('b2'), { v: 2 });
    const res = await client().batchRead(
      [key('b1'), key('b2'), key('no-such-key')].map((k) => ({ key: k, readAllBins: true })),
    );
    expect(res.map((r) => r.status)).toEqual([0, 0, 2]);
    expect(res[0]?.record.bins).toEqual({ v: 1 });
    expect(res[1]?.record.bins).toEqual({ v: 2 });
  });

  test('batchWrite and batchRemove rows', async () => {
    const res = await client().batchWrite([
      { type: Aerospike.batchType.BATCH_WRITE, key: key('bw1'), ops: [Aerospike.operations.write('v', 1)] },
      { type: Aerospike.batchType.BATCH_WRITE, key: key('bw2'), ops: [Aerospike.operations.write('v', 2)] },
      { type: Aerospike.batchType.BATCH_REMOVE, key: key('no-such-key') },
    ]);
    expect(res.map((r) => r.status)).toEqual([0, 0, 2]);
    expect((await client().get(key('bw2'))).bins).toEqual({ v: 2 });
  });

  test('batch get/exists helpers', async () => {
    await client().put(key('bg'), { v: 1 });
    const exists = await client().batchExists([key('bg'), key('no-such-key')]);
    expect(exists.map((r) => r.status)).toEqual([0, 2]);
  });

  test('truncate empties the set (scan is empty, sets reports objects=0)', async () => {
    const set = 'truncset';
    for (const i of [1, 2, 3]) await client().put(key(`t-${i}`, NS, set), { a: i });
    expect(await collectRecords(client().scan(NS, set).foreach())).toHaveLength(3);
    // A record written in the truncate's millisecond would stay (next test).
    await nextMillisecond();
    await client().truncate(NS, set, 0);
    expect(await collectRecords(client().scan(NS, set).foreach())).toHaveLength(0);
    expect(server().records(NS, set)).toHaveLength(0);
    const sets = await client().infoAny(`sets/${NS}/${set}`);
    expect(sets).toContain(`ns=${NS}:set=${set}:objects=0:`);
  });

  test('truncate removes only records updated strictly before its cutoff millisecond', async () => {
    const set = 'truncms';
    const before = Date.now();
    await client().put(key('same-ms', NS, set), { a: 1 });
    const after = Date.now();
    // Cutoff = the millisecond before the write began: the record (updated at or after it) stays.
    expect(await truncateTo(set, before)).toBe('ok');
    expect(
      server()
        .records(NS, set)
        .map((r) => r.key),
    ).toHaveLength(1);
    // Cutoff = the millisecond after the write answered: now it goes.
    while (Date.now() <= after + 1) await sleepMs(1);
    expect(await truncateTo(set, after + 1)).toBe('ok');
    expect(server().records(NS, set)).toHaveLength(0);
  });

  test('a truncate whose cutoff is not later than the previous one is ignored, and answers ok', async () => {
    const set = 'truncorder';
    await client().put(key('x', NS, set), { a: 1 });
    await nextMillisecond();
    const first = Date.now() - 1;
    expect(await truncateTo(set, first)).toBe('ok');
    expect(await truncateLut(set)).toBe(first - CITRUSLEAF_EPOCH_MS);
    await client().put(key('y', NS, set), { a: 2 });
    for (const earlier of [first, first - 5]) {
      expect(await truncateTo(set, earlier)).toBe('ok');
      expect(await truncateLut(set)).toBe(first - CITRUSLEAF_EPOCH_MS);
    }
    expect(server().records(NS, set)).toHaveLength(1);
  });

  test('a truncate of a set that was never written answers ok and does not create the set', async () => {
    const set = 'trunclater';
    expect(await truncateTo(set, Date.now() - 1)).toBe('ok');
    expect(await client().infoAny(`sets/${NS}/${set}`)).not.toContain(`set=${set}:`);
  });

  test('rc 22 for a TTL write after set-config nsup-period=0, ok again after nsup-period=1', async () => {
    expect(await client().infoAny('set-config:context=namespace;id=express;nsup-period=0')).toBe(
      'set-config:context=namespace;id=express;nsup-period=0\tok\n',
    );
    expect(await codeOf(client().put(key('ttl-rec', 'express'), { s: 'x' }, { ttl: 60 }))).toBe(
      Aerospike.status.ERR_FAIL_FORBIDDEN,
    );
    // no TTL (never expire) is still allowed
    await client().put(key('ttl-rec', 'express'), { s: 'x' }, { ttl: -1 });
    const cfg = await client().infoAny('get-config:context=namespace;id=express');
    expect(cfg).toContain('nsup-period=0');
    expect(cfg).toContain('allow-ttl-without-nsup=false');
    await client().infoAny('set-config:context=namespace;id=express;nsup-period=1');
    await client().put(key('ttl-rec', 'express'), { s: 'x' }, { ttl: 60 });
  });

  test('rc 13 for a 1.1 MB record; the connection keeps working', async () => {
    expect(await codeOf(client().put(key('big'), { session: 'x'.repeat(1_100_000) }))).toBe(
      Aerospike.status.ERR_RECORD_TOO_BIG,
    );
    await client().put(key('almost-big'), { session: 'x'.repeat(1_000_000) });
    expect(((await client().get(key('almost-big'))).bins.session as string).length).toBe(1_000_000);
  });

  test('info commands', async () => {
    expect(await client().infoAny('namespaces')).toBe('namespaces\ttest;express\n');
    expect(await client().infoAny('build')).toBe('build\t8.1.0.3\n');
    // ERROR replies surface as client errors carrying the server's message
    await expect(client().infoAny('no-such-command')).rejects.toThrow('unrecognized command');
    await expect(client().infoAny('truncate:namespace=nosuchns;set=x')).rejects.toThrow(
      'namespace not found',
    );
  });
});
