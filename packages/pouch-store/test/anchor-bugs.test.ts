// One test per bug of session-pouchdb-store 0.4.1 (../shared/ANCHORS.md §5), each showing
// that PouchStore does not have it. The anchor itself runs in a child process
// (support/anchor-child.js), and each test also checks that the bug is real there.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import { useCouchServer, waitUntil } from '@session-stores/test-servers';
import express from 'express';
import request from 'supertest';
import { EXPIRY_INDEX, PouchStore, type PouchStoreOptions } from '../src';
import { PACKAGE_ROOT, spawnNode, waitForExit } from './support/child-process';
import { session } from './support/express-session';
import { rawGet, rawPut } from './support/raw';

type AnchorResults = Record<string, Record<string, unknown>>;

function makeSession(data: Record<string, unknown> = {}, maxAgeMs = 60_000): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' },
    ...data,
  } as unknown as SessionData;
}

const stores: PouchStore[] = [];
/** A store on a fresh in-memory database (or `database`), closed after the test. */
async function open(options: PouchStoreOptions = {}): Promise<PouchStore> {
  const store = new PouchStore({ database: `anchor-bugs-${randomBytes(4).toString('hex')}`, ...options });
  stores.push(store);
  await store.ready();
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

let anchor: AnchorResults;
beforeAll(async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, 'support', 'anchor-child.js')],
    {
      cwd: PACKAGE_ROOT,
      timeout: 90_000,
    },
  );
  anchor = JSON.parse(stdout) as AnchorResults;
}, 100_000);

function appWith(store: PouchStore, genid?: () => string) {
  const app = express();
  app.use(
    session({
      store,
      secret: 'anchor-bugs',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
      ...(genid ? { genid } : {}),
    }),
  );
  app.get('/login', (req, res) => {
    (req.session as unknown as Record<string, unknown>).user = 'ada';
    res.json({ id: req.sessionID });
  });
  app.get('/keys', (req, res) => {
    res.json({ id: req.sessionID, keys: Object.keys(req.session).sort() });
  });
  return app;
}

test('destroy deletes the session for good (the anchor fails and the session comes back)', async () => {
  expect(anchor.destroy).toMatchObject({ stillReturned: true, docStillInDb: true });
  expect(anchor.destroy?.destroyError).toEqual(expect.any(String));

  const store = await open();
  await store.set('a', makeSession({ v: 1 }));
  expect(await store.get('a')).not.toBeNull(); // now cached too
  await store.destroy('a');
  expect(await store.get('a')).toBeNull();
  expect(await rawGet(store, store.documentId('a'))).toBeUndefined();
});

test('an expired session is never returned, from the cache or from the database', async () => {
  expect(anchor.expired).toEqual({ returnedFromCache: true, returnedFromDb: true });

  const name = `expired-${randomBytes(4).toString('hex')}`;
  const store = await open({ database: name, purge: 0 });
  // Long enough for the write and the first read to finish on a busy machine.
  const expiring = makeSession({ v: 1 }, 1000);
  await store.set('a', expiring);
  expect(await store.get('a')).not.toBeNull();
  const expiresAt = new Date(expiring.cookie.expires as Date).getTime();
  await waitUntil(() => Date.now() > expiresAt, { what: 'the session to expire' });
  const other = await open({ database: name, purge: 0 });
  expect(await other.get('a')).toBeNull(); // read from the database
  expect(await store.get('a')).toBeNull(); // was in the cache
  // ...and the read deleted it lazily.
  await waitUntil(async () => (await rawGet(store, store.documentId('a'))) === undefined, {
    what: 'the expired document to be deleted',
  });
});

test('purge deletes expired documents from the database, through the expiry index', async () => {
  expect(anchor.purge).toEqual({ expiredDocStillInDb: true });

  const name = `purge-${randomBytes(4).toString('hex')}`;
  const store = await open({ database: name, purge: 200 });
  const forever = await open({ database: name, purge: 0, disableTTL: true });
  const neighbour = await open({ database: name, purge: 0, prefix: 'other:' });
  // Written first, so each has expired by the time the purge pass that removes the last x ran.
  await forever.set('forever', makeSession({}, 150)); // expiresAt: null
  await neighbour.set('theirs', makeSession({}, 150)); // another store's expired session
  await Promise.all(['x1', 'x2', 'x3'].map((sid) => store.set(sid, makeSession({}, 150))));
  await store.set('live', makeSession({}, 60_000));
  // No reads through a store: only the purge timer can delete anything.
  const xsLeft = async () => {
    const docs = await Promise.all(['x1', 'x2', 'x3'].map((sid) => rawGet(store, store.documentId(sid))));
    return docs.filter((doc) => doc !== undefined).length;
  };
  await waitUntil(async () => (await xsLeft()) === 0, { what: 'the purge to delete x1..x3' });
  expect(await rawGet(store, store.documentId('live'))).toBeDefined();
  expect(await rawGet(store, store.documentId('forever'))).toMatchObject({ expiresAt: null });
  // Another prefix's documents are that store's business.
  expect(await rawGet(store, neighbour.documentId('theirs'))).toBeDefined();

  // The query is answered by the [type, expiresAt] index, not a scan of every document.
  const db = store.db as unknown as {
    getIndexes(): Promise<{
      indexes: Array<{ ddoc: string | null; name: string; def: { fields: object[] } }>;
    }>;
    explain(request: object): Promise<{ index: { ddoc: string | null } }>;
  };
  const { indexes } = await db.getIndexes();
  expect(indexes).toContainEqual(
    expect.objectContaining({
      ddoc: `_design/${EXPIRY_INDEX.ddoc}`,
      name: EXPIRY_INDEX.name,
      def: { fields: [{ type: 'asc' }, { expiresAt: 'asc' }] },
    }),
  );
  const plan = await db.explain({
    selector: { type: 'session', expiresAt: { $gte: 0, $lte: Date.now() } },
    use_index: [EXPIRY_INDEX.ddoc, EXPIRY_INDEX.name],
  });
  expect(plan.index.ddoc).toBe(`_design/${EXPIRY_INDEX.ddoc}`);
});

test('the first Set-Cookie keeps Path, HttpOnly and Expires through express-session', async () => {
  expect(anchor.setCookie?.setCookie).toMatch(/^connect\.sid=/);
  expect(anchor.setCookie?.setCookie).not.toMatch(/Path=|HttpOnly|Expires=/);

  const store = await open();
  const res = await request(appWith(store)).get('/login').expect(200);
  const cookie = String(res.headers['set-cookie']);
  expect(cookie).toMatch(/Path=\//);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/Expires=/);
});

describe('409 conflicts', () => {
  /** Makes the next `times` puts of the store collide with a write behind its back. */
  function collideNextPuts(
    store: PouchStore,
    times: number,
    change: (doc: Record<string, unknown>) => Record<string, unknown> = (doc) => ({
      ...doc,
      behindTheBack: true,
    }),
  ) {
    const db = store.db as { put(doc: object): Promise<object> };
    const put = db.put.bind(db);
    const calls: string[] = [];
    let left = times;
    db.put = async (doc: object) => {
      const { _id } = doc as { _id: string };
      calls.push(_id);
      if (left > 0) {
        left -= 1;
        const current = await rawGet(store, _id);
        if (current) await put(change(current));
      }
      return put(doc);
    };
    return calls;
  }

  test('a conflict is retried with the current revision, and later writes still work (the anchor’s commit loop dies)', async () => {
    expect(anchor.conflict?.unhandledRejections).toContain('Document update conflict');
    expect(anchor.conflict?.laterWritesStored).toContain(false);

    const store = await open();
    await store.set('a', makeSession({ v: 1 }));
    const calls = collideNextPuts(store, 1);
    await store.set('a', makeSession({ v: 2 }));
    expect(calls.length).toBeGreaterThanOrEqual(2); // the first put got a 409
    expect(await store.get('a')).toMatchObject({ v: 2 });
    expect(await rawGet(store, store.documentId('a'))).not.toHaveProperty('behindTheBack');
    await store.set('b', makeSession({ v: 3 }));
    expect(await store.get('b')).toMatchObject({ v: 3 });
  });

  test('touch retries a conflict too, keeping the data written behind its back', async () => {
    const store = await open();
    await store.set('a', makeSession({ v: 1 }, 10_000));
    // Another process saves v: 2 just before the touch is written.
    const calls = collideNextPuts(store, 1, (doc) => ({
      ...doc,
      data: JSON.stringify({ ...JSON.parse(doc.data as string), v: 2 }),
    }));
    const refreshed = makeSession({ v: 1 }, 600_000);
    await store.touch('a', refreshed);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const stored = (await store.get('a')) as unknown as { v: number; cookie: { expires: string } };
    expect(stored.v).toBe(2);
    expect(new Date(stored.cookie.expires).getTime()).toBe((refreshed.cookie.expires as Date).getTime());
    const doc = await rawGet(store, store.documentId('a'));
    expect(doc?.expiresAt as number).toBeGreaterThan(Date.now() + 500_000);
  });

  test('a conflict that never ends fails that write with ERR_BACKEND, nothing else', async () => {
    const store = await open();
    await store.set('a', makeSession({ v: 1 }));
    collideNextPuts(store, 1_000);
    await expect(store.set('a', makeSession({ v: 2 }))).rejects.toMatchObject({
      code: ErrorCode.BackendError,
    });
    await store.set('b', makeSession({ v: 3 })); // no current doc: nothing collides
    expect(await store.get('b')).toMatchObject({ v: 3 });
  });
});

test('clear deletes only session documents: foreign and design documents survive', async () => {
  expect(anchor.clear).toEqual({ foreignDocSurvived: false, clearedSessionStillReturned: true });

  for (const prefix of ['sess:', '']) {
    const store = await open({ prefix });
    await rawPut(store, { _id: 'app-config', theme: 'dark' });
    await rawPut(store, { _id: 'sess:not-a-session', note: 'inside the prefix, but foreign' });
    await rawPut(store, { _id: '_design/app', views: {} });
    await store.set('a', makeSession({ v: 1 }));
    await store.set('_b', makeSession({ v: 2 }));
    expect(await store.get('a')).not.toBeNull(); // cached
    await store.clear();
    expect({ prefix, a: await store.get('a'), b: await store.get('_b') }).toEqual({
      prefix,
      a: null,
      b: null,
    });
    expect(await store.length()).toBe(0);
    for (const id of ['app-config', 'sess:not-a-session', '_design/app']) {
      expect({ prefix, id, kept: (await rawGet(store, id)) !== undefined }).toEqual({
        prefix,
        id,
        kept: true,
      });
    }
  }
});

describe('session ids starting with "_"', () => {
  test('work through set, get, touch, ids and destroy (the anchor fails with an unhandled rejection)', async () => {
    expect(anchor.underscoreId?.unhandledRejections).toContain(
      'Only reserved document ids may start with underscore.',
    );

    for (const prefix of ['sess:', '', '_p:']) {
      const store = await open({ prefix });
      const ids = ['_Ab3xYz', '_design', '_design/x', '_local/y', '%25', '_'];
      for (const sid of ids) await store.set(sid, makeSession({ sid }));
      for (const sid of ids)
        expect({ prefix, sid, got: await store.get(sid) }).toMatchObject({ prefix, sid, got: { sid } });
      await store.touch('_Ab3xYz', makeSession({ sid: '_Ab3xYz' }, 120_000));
      expect((await store.ids()).sort()).toEqual([...ids].sort());
      for (const sid of ids) await store.destroy(sid);
      expect(await store.length()).toBe(0);
    }
  });

  test('work through express-session, whose generator makes one in 64', async () => {
    const store = await open();
    const agent = request.agent(appWith(store, () => `_${randomBytes(24).toString('base64url').slice(1)}`));
    const login = await agent.get('/login').expect(200);
    expect(login.body.id).toMatch(/^_/);
    const again = await agent.get('/keys').expect(200);
    expect(again.body.id).toBe(login.body.id);
    expect(await store.get(login.body.id)).toMatchObject({ user: 'ada' });
  });
});

test('no _id, _rev, $ts or other bookkeeping reaches req.session', async () => {
  expect(anchor.leakedFields?.keys).toEqual(expect.arrayContaining(['_id', '_rev', '$ts', '$dirty']));

  const store = await open();
  const agent = request.agent(appWith(store));
  await agent.get('/login').expect(200);
  const { body } = await agent.get('/keys').expect(200);
  expect(body.keys).toEqual(['cookie', 'user']);
  expect(Object.keys((await store.get(body.id)) ?? {}).sort()).toEqual(['cookie', 'user']);
});

test('the caller’s session object is never mutated nor shared (the anchor caches and returns it)', async () => {
  expect(anchor.mutation).toMatchObject({ sameObjectReturnedTwice: true, callerObjectReturned: true });
  expect(anchor.mutation?.keysAfter).toEqual(expect.arrayContaining(['_id', '$ts', '$dirty']));

  const store = await open();
  const mine = makeSession({ nested: { a: 1 } });
  const snapshot = JSON.stringify(mine);
  await store.set('a', mine);
  await store.touch('a', mine);
  expect(JSON.stringify(mine)).toBe(snapshot);
  expect(Object.keys(mine)).toEqual(['cookie', 'nested']);
  expect(mine.cookie.expires).toBeInstanceOf(Date);
  const first = await store.get('a');
  const second = await store.get('a');
  expect(first).not.toBe(second);
  expect(first).not.toBe(mine);
  (first as unknown as { nested: { a: number } }).nested.a = 99;
  expect(await store.get('a')).toMatchObject({ nested: { a: 1 } });
});

describe('timers and the changes feed do not keep the process alive', () => {
  const couch = useCouchServer();

  test('the anchor’s process never exits by itself', async () => {
    const child = spawnNode(join(__dirname, 'support', 'anchor-alive-child.js'));
    expect(await waitForExit(child, 3000)).toBe('timeout');
  });

  const cases: Array<[string, () => string, string]> = [
    ['an in-memory store, closed', () => 'memory', 'close'],
    ['an in-memory store left open', () => 'memory', 'leave-open'],
    ['a remote store, closed', () => `${couch().url}exit-${randomBytes(4).toString('hex')}`, 'close'],
    [
      'a remote store left open (its changes feed is unref’d)',
      () => `${couch().url}exit-${randomBytes(4).toString('hex')}`,
      'leave-open',
    ],
  ];
  test.each(cases)(
    'a process using %s exits by itself',
    async (_label, where, ending) => {
      const child = spawnNode(join(__dirname, 'support', 'exit-child.ts'), [where(), ending]);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      // Its scavenge and purge timers repeat every 100 ms / 1 s: if they held the
      // process, it would never exit. The bound only allows for a slow, loaded machine.
      const code = await waitForExit(child, 45_000);
      expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'done' });
    },
    60_000,
  );
});
