/**
 * How sessions become records: the default layout (bins `session` + `cookie`), data
 * written by other code or of the wrong type, and custom mappers.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import type * as Aerospike from 'aerospike';
import { AerospikeStore, type AerospikeStoreOptions, type RecordMapper } from '../src';
import { keyOf, NAMESPACE, putRaw, uniqueSet, useAerospike } from './helpers';

const set = uniqueSet('mapper');
const backend = useAerospike([set]);
const stores: AerospikeStore[] = [];
let counter = 0;

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function storeWith(options: AerospikeStoreOptions = {}): AerospikeStore {
  counter += 1;
  const store = new AerospikeStore({
    prefix: `m${counter}:`,
    ...options,
    client: backend().client,
    namespace: NAMESPACE,
    set,
  });
  stores.push(store);
  return store;
}

const cookie = (maxAge = 60_000) => ({
  originalMaxAge: maxAge,
  expires: new Date(Date.now() + maxAge).toISOString(),
  httpOnly: true,
  path: '/',
});
const session = (data: Record<string, unknown>, maxAge?: number) =>
  ({ cookie: cookie(maxAge), ...data }) as unknown as SessionData;

async function raw(store: AerospikeStore, sid: string): Promise<Aerospike.AerospikeRecord> {
  return backend().client.get(keyOf(store, sid));
}

describe('default layout', () => {
  test('a session is stored as bin "session" (data without the cookie) and bin "cookie", with its key', async () => {
    const store = storeWith();
    const stored = session({ user: 'ada' });
    await store.set('s1', stored);
    const record = await raw(store, 's1');
    expect(record.bins).toEqual({
      session: JSON.stringify({ user: 'ada' }),
      cookie: JSON.stringify(stored.cookie),
    });
    const scanned: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = backend().client.scan(NAMESPACE, set, { nobins: true }).foreach();
      stream.on('data', (r: Aerospike.AerospikeRecord) => scanned.push(r.key.key));
      stream.on('error', reject);
      stream.on('end', () => resolve());
    });
    expect(scanned).toContain(`${store.prefix}s1`);
  });

  test('touch rewrites only the cookie bin and the TTL', async () => {
    const store = storeWith();
    await store.set('s2', session({ user: 'ada' }, 10_000));
    const before = await raw(store, 's2');
    const refreshed = session({ user: 'stale copy' }, 600_000);
    await store.touch('s2', refreshed);
    const after = await raw(store, 's2');
    expect(after.bins.session).toBe(before.bins.session);
    expect(after.bins.cookie).toBe(JSON.stringify(refreshed.cookie));
    expect(after.ttl).toBeGreaterThan(590);
    expect(after.gen).toBe(before.gen + 1);
  });

  test('a session without a cookie is one bin, and touch then only moves the TTL', async () => {
    const store = storeWith();
    await store.set('s3', { user: 'no cookie' } as unknown as SessionData);
    expect((await raw(store, 's3')).bins).toEqual({ session: JSON.stringify({ user: 'no cookie' }) });
    await store.touch('s3', { user: 'no cookie' } as unknown as SessionData);
    expect(await store.get('s3')).toEqual({ user: 'no cookie' });
  });

  test('set replaces the whole record: a cookie bin from before does not survive a save without cookie', async () => {
    const store = storeWith();
    await store.set('s4', session({ v: 1 }));
    await store.set('s4', { v: 2 } as unknown as SessionData);
    expect((await raw(store, 's4')).bins).toEqual({ session: JSON.stringify({ v: 2 }) });
  });

  test('disableTTL stores TTL -1 (never expire), not 0 (the namespace default)', async () => {
    const store = storeWith({ disableTTL: true });
    await store.set('s5', session({ v: 1 }));
    expect((await raw(store, 's5')).ttl).toBe(-1);
  });

  test('a TTL over ten years is capped at Aerospike’s maximum instead of being refused', async () => {
    const store = storeWith({ ttl: 20 * 365 * 86_400 });
    await store.set('s6', { v: 1 } as unknown as SessionData);
    expect((await raw(store, 's6')).ttl).toBeGreaterThan(315_360_000 - 10);
  });

  test('a record written by aerospike-session-store (whole session in bin "session") reads back and can be touched', async () => {
    const store = storeWith();
    const legacy = session({ user: 'from 0.4' });
    await putRaw(backend().client, store, 'old', { session: JSON.stringify(legacy) });
    expect(await store.get('old')).toEqual(JSON.parse(JSON.stringify(legacy)));
    const refreshed = session({ user: 'from 0.4' }, 600_000);
    await store.touch('old', refreshed);
    expect(await store.get('old')).toEqual({
      user: 'from 0.4',
      cookie: JSON.parse(JSON.stringify(refreshed.cookie)),
    });
  });
});

describe('data the store cannot decode', () => {
  const cases: Array<[string, Aerospike.AerospikeBins]> = [
    ['an integer session bin', { session: 42 }],
    ['a bytes session bin', { session: Buffer.from([0xff, 0x00, 0x7b]) }],
    ['a list session bin', { session: ['a', 1] }],
    ['no session bin', { other: 'x' }],
    ['text that is not JSON', { session: '{"user": ' }],
    ['JSON that is not an object', { session: '[1,2]' }],
    ['an integer cookie bin', { session: '{}', cookie: 7 }],
    ['a cookie bin that is not JSON', { session: '{}', cookie: '{oops' }],
  ];

  test.each(cases)('%s is ERR_SESSION_CORRUPT, never a crash', async (_name, bins) => {
    const store = storeWith();
    await putRaw(backend().client, store, 'bad', bins);
    await expect(store.get('bad')).rejects.toMatchObject({ code: ErrorCode.CorruptSession, sid: 'bad' });
  });

  test.each(cases)("%s reads as no session with onCorrupt: 'miss'", async (_name, bins) => {
    const store = storeWith({ onCorrupt: 'miss' });
    await putRaw(backend().client, store, 'bad', bins);
    expect(await store.get('bad')).toBeNull();
  });

  test('all() fails with ERR_SESSION_CORRUPT over corrupt data, and skips it with onCorrupt: miss', async () => {
    const strict = storeWith({ prefix: 'corrupt-all:' });
    const lenient = storeWith({ prefix: 'corrupt-all:', onCorrupt: 'miss' });
    await strict.set('good', session({ ok: true }));
    await putRaw(backend().client, strict, 'bad', { session: 3 });
    await expect(strict.all()).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
    expect((await lenient.all()).map((s) => s.id)).toEqual(['good']);
  });
});

/** Keeps `user` in a bin of its own (for a secondary index, say) and the rest as JSON. */
const userBinMapper: RecordMapper = {
  toRecord: (s) => {
    const { user, ...rest } = s as unknown as Record<string, unknown>;
    return { user: String(user ?? ''), data: JSON.stringify(rest) };
  },
  fromRecord: (bins) => ({ ...JSON.parse(String(bins.data)), user: bins.user }) as SessionData,
};

describe('custom mapper', () => {
  test('bins are what toRecord returns, and fromRecord builds the session back', async () => {
    const store = storeWith({ mapper: userBinMapper });
    const stored = session({ user: 'ada', role: 'admin' });
    await store.set('c1', stored);
    const record = await raw(store, 'c1');
    expect(Object.keys(record.bins).sort()).toEqual(['data', 'user']);
    expect(record.bins.user).toBe('ada');
    expect(await store.get('c1')).toEqual(JSON.parse(JSON.stringify(stored)));
  });

  test('a mapper may store a map bin (values Aerospike can hold)', async () => {
    const mapper: RecordMapper = {
      toRecord: (s) => ({ doc: JSON.parse(JSON.stringify(s)) }),
      fromRecord: (bins) => bins.doc as SessionData,
    };
    const store = storeWith({ mapper });
    const stored = session({ n: 1, list: [1, 'two'], nested: { ok: true } });
    await store.set('c2', stored);
    expect(await store.get('c2')).toEqual(JSON.parse(JSON.stringify(stored)));
  });

  test('touch updates the cookie and TTL, keeps data saved since, and never creates a record', async () => {
    const store = storeWith({ mapper: userBinMapper });
    await store.set('c3', session({ user: 'ada', v: 1 }, 10_000));
    await store.set('c3', session({ user: 'ada', v: 2 }, 10_000));
    const refreshed = session({ user: 'ada', v: 1 }, 600_000);
    await store.touch('c3', refreshed);
    expect(await store.get('c3')).toMatchObject({
      v: 2,
      cookie: JSON.parse(JSON.stringify(refreshed.cookie)),
    });
    expect((await raw(store, 'c3')).ttl).toBeGreaterThan(590);
    await store.touch('missing', refreshed);
    expect(await backend().client.exists(keyOf(store, 'missing'))).toBe(false);
  });

  test('touch retries when another write lands between its read and its write', async () => {
    let interfere = true;
    const mapper: RecordMapper = {
      toRecord: userBinMapper.toRecord,
      fromRecord: async (bins) => {
        if (interfere) {
          interfere = false;
          // Another request saves v: 3 after touch has read the record.
          await putRaw(backend().client, store, 'c4', userBinMapper.toRecord(session({ user: 'ada', v: 3 })));
        }
        return userBinMapper.fromRecord(bins);
      },
    };
    const store = storeWith({ mapper });
    await store.set('c4', session({ user: 'ada', v: 1 }));
    interfere = true;
    await store.touch('c4', session({ user: 'ada', v: 1 }, 600_000));
    expect(interfere).toBe(false);
    expect(await store.get('c4')).toMatchObject({ v: 3 });
    expect((await raw(store, 'c4')).ttl).toBeGreaterThan(590);
  });

  test('fromRecord returning null means no session', async () => {
    const store = storeWith({ mapper: { toRecord: () => ({ x: 1 }), fromRecord: () => null } });
    await store.set('c5', session({}));
    expect(await store.get('c5')).toBeNull();
  });

  test('a throwing toRecord is ERR_SESSION_SERIALIZE; a throwing fromRecord is ERR_SESSION_CORRUPT (or a miss)', async () => {
    const boom: RecordMapper = {
      toRecord: () => {
        throw new Error('cannot map');
      },
      fromRecord: () => {
        throw new Error('cannot unmap');
      },
    };
    const store = storeWith({ mapper: boom });
    await expect(store.set('c6', session({}))).rejects.toMatchObject({ code: ErrorCode.SerializeFailed });
    await putRaw(backend().client, store, 'c6', { x: 1 });
    await expect(store.get('c6')).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
    const lenient = storeWith({ mapper: boom, prefix: store.prefix, onCorrupt: 'miss' });
    expect(await lenient.get('c6')).toBeNull();
  });

  test('bin names over 15 bytes, or no bins at all, are reported as a mapper error before reaching the server', async () => {
    const long = storeWith({ mapper: { toRecord: () => ({ sixteen_bytes_xx: 1 }), fromRecord: () => null } });
    await expect(long.set('c7', session({}))).rejects.toMatchObject({
      code: ErrorCode.InvalidOption,
      option: 'mapper',
      message: expect.stringContaining('"sixteen_bytes_xx" of 16 bytes'),
    });
    const utf8 = storeWith({ mapper: { toRecord: () => ({ ééééééééé: 1 }), fromRecord: () => null } });
    await expect(utf8.set('c7', session({}))).rejects.toMatchObject({ option: 'mapper' });
    const none = storeWith({ mapper: { toRecord: () => ({}), fromRecord: () => null } });
    await expect(none.set('c7', session({}))).rejects.toMatchObject({ option: 'mapper' });
    expect(await backend().client.exists(keyOf(long, 'c7'))).toBe(false);
  });
});
