import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { ErrorCode, InvalidOptionError, type SessionData } from '@session-stores/core';
import { useCouchServer, waitUntil } from '@session-stores/test-servers';
import memoryAdapter from 'pouchdb-adapter-memory';
import PouchDB from 'pouchdb-core';
import pouchStoreFactory, { type PouchDatabase, PouchStore, type PouchStoreOptions } from '../src';
import { session } from './support/express-session';
import { rawGet, rawPut } from './support/raw';

PouchDB.plugin(memoryAdapter);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

function makeSession(data: Record<string, unknown> = {}, maxAgeMs = 60_000): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' },
    ...data,
  } as unknown as SessionData;
}

const stores: PouchStore[] = [];
function track<S extends PouchStore>(store: S): S {
  stores.push(store);
  return store;
}
async function open(options: PouchStoreOptions = {}): Promise<PouchStore> {
  const store = track(new PouchStore({ database: unique('behaviour'), ...options }));
  await store.ready();
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** Counts the session reads that reach the database (pouchdb-find's own reads of its design document aside). */
function countReads(store: PouchStore): () => number {
  const db = store.db as { get(docId: string): Promise<object> };
  const get = db.get.bind(db);
  let reads = 0;
  db.get = (docId: string) => {
    if (docId.startsWith(store.documentId(''))) reads += 1;
    return get(docId);
  };
  return () => reads;
}

describe('constructor forms', () => {
  test('new PouchStore() uses a private in-memory database', async () => {
    const a = track(new PouchStore());
    const b = track(new PouchStore());
    await a.set('x', makeSession({ v: 1 }));
    expect(await a.get('x')).toMatchObject({ v: 1 });
    expect(await b.get('x')).toBeNull();
    expect(a.prefix).toBe('sess:');
  });

  test('a name opens an in-memory database shared by that name; closing one store leaves the others working', async () => {
    const name = unique('shared');
    const a = track(new PouchStore(name));
    const b = track(new PouchStore(name, { prefix: 'sess:' }));
    await a.set('x', makeSession({ v: 1 }));
    expect(await b.get('x')).toMatchObject({ v: 1 });
    await a.close();
    await b.set('y', makeSession({ v: 2 }));
    expect(await b.get('x')).toMatchObject({ v: 1 });
    // The data outlive the stores, like a database file would.
    await b.close();
    const c = track(new PouchStore({ database: name }));
    expect(await c.get('y')).toMatchObject({ v: 2 });
  });

  test('a PouchDB instance is used as is, and close() leaves it open', async () => {
    const db = new PouchDB(unique('instance'), { adapter: 'memory' });
    const store = track(new PouchStore(db, { prefix: 'app:' }));
    await store.set('x', makeSession({ v: 1 }));
    expect(store.db).toBe(db);
    expect(await rawGet(store, 'app:x')).toMatchObject({ type: 'session' });
    await store.close();
    await expect(db.info()).resolves.toBeDefined();
    await db.destroy();
  });

  test('the classic factory returns the class bound to the caller’s express-session', async () => {
    const Bound = pouchStoreFactory(session);
    expect(pouchStoreFactory()).toBe(PouchStore);
    const store = track(new Bound());
    expect(store).toBeInstanceOf(PouchStore);
    expect(store).toBeInstanceOf(session.Store);
    await store.set('x', makeSession({ v: 1 }));
    expect(await store.get('x')).toMatchObject({ v: 1 });
  });

  const invalid: Array<[string, () => unknown, string]> = [
    ['a number as database', () => new PouchStore(42 as never), 'database'],
    ['an empty name', () => new PouchStore(''), 'database'],
    ['a non-http URL', () => new PouchStore('ftp://example.com/db'), 'database'],
    ['a malformed URL', () => new PouchStore('http://'), 'database'],
    ['the database twice', () => new PouchStore('a', { database: 'b' }), 'database'],
    ['options after options', () => new PouchStore({}, {}), 'database'],
    ['options that are not an object', () => new PouchStore('a', 'b' as never), 'options'],
    ['a negative maxIdle', () => new PouchStore({ maxIdle: -1 }), 'maxIdle'],
    ['scavenge 0', () => new PouchStore({ scavenge: 0 }), 'scavenge'],
    ['purge as text', () => new PouchStore({ purge: '5' as never }), 'purge'],
    ['purge beyond setInterval’s range', () => new PouchStore({ purge: 2 ** 31 }), 'purge'],
    ['maxIdle NaN', () => new PouchStore({ maxIdle: Number.NaN }), 'maxIdle'],
    [
      'pouchOptions with an instance',
      () => new PouchStore(new PouchDB(unique('x'), { adapter: 'memory' }), { pouchOptions: {} }),
      'pouchOptions',
    ],
    [
      'pouchOptions that are not an object',
      () => new PouchStore({ pouchOptions: 1 as never }),
      'pouchOptions',
    ],
    [
      'an instance without allDocs',
      () => new PouchStore({ get() {}, put() {}, bulkDocs() {}, changes() {} } as never),
      'database',
    ],
    ['ttl 0 (core)', () => new PouchStore({ ttl: 0 }), 'ttl'],
    ['a prefix with control characters (core)', () => new PouchStore({ prefix: 'a\n' }), 'prefix'],
  ];
  test.each(invalid)('%s throws InvalidOptionError naming it', (_label, build, option) => {
    let thrown: unknown;
    try {
      track(build() as PouchStore);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect(thrown).toMatchObject({ code: ErrorCode.InvalidOption, option });
  });
});

describe('document layout', () => {
  test('a session is one {type, data, expiresAt} document under prefix + sid', async () => {
    const store = await open();
    const stored = makeSession({ user: 'ada', _private: 1 });
    await store.set('abc', stored);
    const doc = await rawGet(store, 'sess:abc');
    expect(Object.keys(doc ?? {}).sort()).toEqual(['_id', '_rev', 'data', 'expiresAt', 'type']);
    expect(doc).toMatchObject({ _id: 'sess:abc', type: 'session' });
    expect(JSON.parse(doc?.data as string)).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(doc?.expiresAt).toBe((stored.cookie.expires as Date).getTime());
  });

  test('a leading "_" or "%" of the key is escaped; ids() gives the sid back', async () => {
    const store = await open({ prefix: '' });
    await store.set('_a', makeSession());
    await store.set('%b', makeSession());
    expect(await rawGet(store, '%5Fa')).toMatchObject({ type: 'session' });
    expect(await rawGet(store, '%25b')).toMatchObject({ type: 'session' });
    expect(store.documentId('_a')).toBe('%5Fa');
    expect((await store.ids()).sort()).toEqual(['%b', '_a']);
  });

  test('a custom serializer’s text is stored as is', async () => {
    const store = await open({
      serializer: {
        stringify: (value) => `v1:${JSON.stringify(value)}`,
        parse: (text) => JSON.parse(text.slice(3)),
      },
    });
    await store.set('a', makeSession({ n: 1 }));
    expect((await rawGet(store, 'sess:a'))?.data).toMatch(/^v1:\{/);
    expect(await store.get('a')).toMatchObject({ n: 1 });
  });
});

describe('corrupt documents', () => {
  const shapes: Array<[string, Record<string, unknown>]> = [
    ['undecodable text', { type: 'session', data: '{"cookie": tru', expiresAt: null }],
    ['data that is not text', { type: 'session', data: { cookie: {} }, expiresAt: null }],
    ['no data at all', { type: 'session', expiresAt: null }],
    ['an expiresAt that is not a time', { type: 'session', data: '{}', expiresAt: 'tomorrow' }],
    ['text that is not an object', { type: 'session', data: '[1,2]', expiresAt: null }],
  ];

  test.each(shapes)(
    '%s: get fails with ERR_SESSION_CORRUPT, or misses with onCorrupt: miss',
    async (_label, doc) => {
      const name = unique('corrupt');
      const strict = await open({ database: name });
      const lenient = await open({ database: name, onCorrupt: 'miss' });
      await rawPut(strict, { _id: strict.documentId('bad'), ...doc });
      await expect(strict.get('bad')).rejects.toMatchObject({ code: ErrorCode.CorruptSession, sid: 'bad' });
      expect(await lenient.get('bad')).toBeNull();
      // Enumeration and clear keep working, and clear removes it.
      expect(await strict.ids()).toEqual(['bad']);
      await expect(strict.all()).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
      expect(await lenient.all()).toEqual([]);
      await expect(strict.touch('bad', makeSession())).rejects.toMatchObject({
        code: ErrorCode.CorruptSession,
      });
      await expect(lenient.touch('bad', makeSession())).resolves.toBeUndefined();
      await strict.clear();
      expect(await rawGet(strict, strict.documentId('bad'))).toBeUndefined();
      // And a new session can be written over it.
      await strict.set('bad', makeSession({ ok: true }));
      expect(await strict.get('bad')).toMatchObject({ ok: true });
    },
  );

  test('a foreign document under a session id reads as no session', async () => {
    const store = await open();
    await rawPut(store, { _id: store.documentId('x'), title: 'not a session' });
    expect(await store.get('x')).toBeNull();
    expect(await store.ids()).toEqual([]);
    await store.touch('x', makeSession());
    expect(await rawGet(store, store.documentId('x'))).toMatchObject({ title: 'not a session' });
  });

  test('a corrupt change arriving on the feed drops the cached session instead of crashing', async () => {
    const store = await open();
    await store.set('a', makeSession({ v: 1 }));
    expect(await store.get('a')).toMatchObject({ v: 1 });
    expect(store.cachedSessions).toBe(1);
    await rawPut(store, { _id: store.documentId('a'), type: 'session', data: 42, expiresAt: null });
    expect(
      await waitUntil(async () => store.cachedSessions === 0, { timeoutMs: 20_000 }).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
    await expect(store.get('a')).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
  });
});

describe('the in-process cache', () => {
  test('a second read is served from the cache', async () => {
    const store = await open();
    const reads = countReads(store);
    await store.set('a', makeSession({ v: 1 }));
    expect(await store.get('a')).toMatchObject({ v: 1 });
    expect(await store.get('a')).toMatchObject({ v: 1 });
    expect(reads()).toBe(0); // set filled the cache
  });

  test('idle sessions are evicted after maxIdle by the scavenger', async () => {
    const store = await open({ maxIdle: 100, scavenge: 50 });
    await store.set('a', makeSession());
    expect(store.cachedSessions).toBe(1);
    await waitUntil(() => store.cachedSessions === 0, { what: 'the scavenger to evict the idle session' });
    expect(await store.get('a')).not.toBeNull(); // still in the database
  });

  test('maxIdle: 0 turns the cache off', async () => {
    const store = await open({ maxIdle: 0 });
    const reads = countReads(store);
    await store.set('a', makeSession({ v: 1 }));
    await store.set('a', makeSession({ v: 2 }));
    await store.get('a');
    await store.get('a');
    expect(store.cachedSessions).toBe(0);
    expect(reads()).toBe(2);
    expect(await store.get('a')).toMatchObject({ v: 2 });
  });

  test('a change written behind the store’s back reaches the cache through the feed', async () => {
    const store = await open();
    await store.set('a', makeSession({ v: 1 }));
    const doc = (await rawGet(store, store.documentId('a'))) as Record<string, unknown>;
    const reads = countReads(store);
    await store.db.put({ ...doc, data: JSON.stringify(makeSession({ v: 2 })) });
    await waitUntil(async () => ((await store.get('a')) as unknown as { v: number }).v === 2, {
      timeoutMs: 20_000,
    });
    expect(reads()).toBe(0); // the feed updated the cache; no read went to the database
    await store.db.put({
      _id: store.documentId('a'),
      _rev: (await rawGet(store, store.documentId('a')))?._rev,
      _deleted: true,
    });
    await waitUntil(async () => (await store.get('a')) === null, { timeoutMs: 20_000 });
  });
  test('a read that was in flight during a destroy does not bring the session back into the cache', async () => {
    const name = unique('race');
    const writer = await open({ database: name });
    const reader = await open({ database: name });
    await writer.set('a', makeSession({ v: 1 }));
    // Hold the reader's next database read until the destroy is done.
    const db = reader.db as { get(docId: string): Promise<object> };
    const get = db.get.bind(db);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let readDone: () => void = () => undefined;
    const read = new Promise<void>((resolve) => {
      readDone = resolve;
    });
    db.get = async (docId: string) => {
      const doc = await get(docId);
      readDone();
      await held;
      return doc;
    };
    const inFlight = reader.get('a');
    await read; // the document was read before the destroy
    await reader.destroy('a');
    await sleep(50); // the deletion has also come through the feed by now
    release();
    expect(await inFlight).toMatchObject({ v: 1 }); // it started before the destroy
    db.get = get;
    expect(await reader.get('a')).toBeNull();
    expect(reader.cachedSessions).toBe(0);
  });
});

/**
 * express-session's `touch` argument: the loaded session object itself (it carries what the
 * read reported) with its cookie moved to expire `maxAgeMs` from now.
 */
function touched(loaded: SessionData, maxAgeMs: number): SessionData {
  const cookie = { ...(loaded.cookie as object), expires: new Date(Date.now() + maxAgeMs) };
  return Object.assign(loaded, { cookie }) as SessionData;
}

describe('touchMargin', () => {
  // The document's expiresAt is the expiry itself, reported by reads from the cache and the
  // database alike: a touch it covers writes nothing, one it does not cover writes a revision.
  test.each([
    ['from the cache', {}],
    ['from the database (maxIdle: 0)', { maxIdle: 0 }],
  ])(
    'a covered touch of a session read %s writes no revision; an uncovered one does',
    async (_label, extra) => {
      const store = await open({ touchMargin: 0.5, ...extra });
      await store.set('a', makeSession({ v: 1 }, 60_000));
      const saved = await rawGet(store, store.documentId('a'));
      // The save's server expiry is the cookie's plus half the lifetime.
      expect(saved?.expiresAt as number).toBeGreaterThan(Date.now() + 85_000);

      // Asks for 61 s: inside the stored 90 s, and the cookie moves by 1 s (< 30 s of margin).
      const first = (await store.get('a')) as SessionData;
      await store.touch('a', touched(first, 61_000));
      expect((await rawGet(store, store.documentId('a')))?._rev).toBe(saved?._rev);

      // Asks for 100 s: past the stored expiry, so it is written, with its own margin.
      const second = touched((await store.get('a')) as SessionData, 100_000);
      await store.touch('a', second);
      const touchedBy = Date.now();
      const after = await rawGet(store, store.documentId('a'));
      expect(after?._rev).not.toBe(saved?._rev);
      // The margin is half of what remained of the cookie when the store wrote, which was no
      // later than touchedBy (a busy machine can let milliseconds pass after touched()).
      const cookieExpires = (second.cookie.expires as Date).getTime();
      expect(after?.expiresAt as number).toBeGreaterThanOrEqual(
        cookieExpires + (cookieExpires - touchedBy) / 2,
      );
      expect(await store.get('a')).toMatchObject({ v: 1 });
    },
  );

  test('without touchMargin every touch is written', async () => {
    const store = await open();
    await store.set('a', makeSession({ v: 1 }, 60_000));
    const saved = await rawGet(store, store.documentId('a'));
    await store.touch('a', touched((await store.get('a')) as SessionData, 61_000));
    expect((await rawGet(store, store.documentId('a')))?._rev).not.toBe(saved?._rev);
  });
});

describe('the changes feed', () => {
  test('a dropped feed is resumed from the last change, keeping the cache and the connection', async () => {
    const real = new PouchDB(unique('resume'), { adapter: 'memory' });
    const feeds: Array<{
      options: Record<string, unknown>;
      feed: { emit(event: string, value: unknown): void };
    }> = [];
    // The instance's own changes(), recording each live feed the store opens (pouchdb-find
    // also calls changes() to build its index).
    const db = Object.assign(Object.create(real) as PouchDatabase, {
      changes(options: Record<string, unknown>) {
        const feed = real.changes(options);
        if (options.live)
          feeds.push({ options, feed: feed as unknown as { emit(event: string, value: unknown): void } });
        return feed;
      },
    });
    const store = track(new PouchStore(db));
    await store.ready();
    const events: string[] = [];
    store.on('disconnect', () => events.push('disconnect'));
    store.on('error', () => events.push('error'));
    await store.set('a', makeSession({ v: 1 }));
    await waitUntil(() => store.cachedSessions === 1, { timeoutMs: 20_000 });
    const seen = (await real.changes({ since: 0 })) as unknown as { last_seq: number };

    feeds[0]?.feed.emit('error', new Error('long poll cut'));
    await waitUntil(() => feeds.length === 2, { timeoutMs: 20_000 });
    expect(feeds[1]?.options.since).toBe(seen.last_seq);
    expect(store.cachedSessions).toBe(1);
    expect(store.connected).toBe(true);
    expect(events).toEqual([]);
    // The resumed feed keeps the cache right.
    const doc = (await real.get(store.documentId('a'))) as Record<string, unknown>;
    await real.put({ ...doc, data: JSON.stringify(makeSession({ v: 2 })) });
    await waitUntil(async () => ((await store.get('a')) as unknown as { v: number }).v === 2, {
      timeoutMs: 20_000,
    });
    await store.close();
    await real.destroy();
  });
});

describe('an instance without pouchdb-find', () => {
  test('purge falls back to scanning the store’s id range', async () => {
    const real = new PouchDB(unique('nofind'), { adapter: 'memory' });
    // Only the methods the store requires: no find, no createIndex.
    const bare: PouchDatabase = {
      get: (id) => real.get(id),
      put: (doc) => real.put(doc),
      bulkDocs: (docs) => real.bulkDocs(docs),
      allDocs: (options) => real.allDocs(options),
      changes: (options) => real.changes(options),
      info: () => real.info(),
    };
    const store = track(new PouchStore(bare, { purge: 0 }));
    await store.set('old', makeSession({}, 50));
    await store.set('new', makeSession({}, 60_000));
    await rawPut(store, { _id: 'sess:foreign', expiresAt: 1 });
    await sleep(100);
    expect(await store.purgeExpired()).toBe(1);
    expect(await rawGet(store, 'sess:old')).toBeUndefined();
    expect(await rawGet(store, 'sess:new')).toBeDefined();
    expect(await rawGet(store, 'sess:foreign')).toBeDefined();
    await store.close();
    await real.destroy();
  });
});

describe('a remote database that goes away', () => {
  const couch = useCouchServer({ ownProcess: true });

  test('emits disconnect, fails fast with ERR_BACKEND_UNAVAILABLE, and reconnects when the server is back', async () => {
    const url = `${couch().url}${unique('outage')}`;
    const store = track(new PouchStore(url));
    await store.ready();
    await store.set('a', makeSession({ v: 1 }));
    expect(await store.get('a')).toMatchObject({ v: 1 });
    const events: string[] = [];
    store.on('connect', () => events.push('connect'));
    store.on('disconnect', () => events.push('disconnect'));
    const errors: unknown[] = [];
    store.on('error', (err) => errors.push(err));

    await couch().kill();
    await waitUntil(async () => events.includes('disconnect'), { timeoutMs: 20_000 });
    expect(store.connected).toBe(false);
    expect(store.cachedSessions).toBe(0); // not trusted while the feed is down
    await expect(store.get('a')).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
    await expect(store.set('b', makeSession())).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: ErrorCode.BackendUnavailable });

    // The test server comes back empty: recreate the database, as a real CouchDB would still have it.
    await couch().restart();
    await fetch(url, { method: 'PUT' });
    await waitUntil(async () => events.includes('connect'), { timeoutMs: 10_000 });
    expect(store.connected).toBe(true);
    await store.set('b', makeSession({ v: 2 }));
    expect(await store.get('b')).toMatchObject({ v: 2 });
  }, 30_000);
});

describe('purge over HTTP', () => {
  const couch = useCouchServer();

  test('deletes this store’s expired documents through the index, leaving other prefixes and live sessions', async () => {
    const url = `${couch().url}${unique('purge')}`;
    // Unescaped, the regular expression ^a.b*: would also match the neighbour's ids.
    const store = track(new PouchStore(url, { prefix: 'a.b*:', purge: 200 }));
    const neighbour = track(new PouchStore(url, { prefix: 'a-bb:', purge: 0 }));
    await Promise.all([store.ready(), neighbour.ready()]);
    await Promise.all(['x1', '_x2', 'x3'].map((sid) => store.set(sid, makeSession({}, 150))));
    await store.set('live', makeSession({}, 60_000));
    await neighbour.set('theirs', makeSession({}, 150));
    await waitUntil(async () => (await rawGet(store, store.documentId('x1'))) === undefined, {
      timeoutMs: 20_000,
    });
    for (const sid of ['_x2', 'x3']) expect(await rawGet(store, store.documentId(sid))).toBeUndefined();
    expect(await rawGet(store, store.documentId('live'))).toBeDefined();
    expect(await rawGet(store, neighbour.documentId('theirs'))).toBeDefined();
    expect(await neighbour.purgeExpired()).toBe(1);
  });
});
