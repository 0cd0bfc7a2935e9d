import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { type CouchServer, describeWithBackend, startCouchServer, useCouchServer } from '../src';
import { binaryEnv, processExists } from './support/binary-env';

type Json = Record<string, unknown>;

async function call(
  server: CouchServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

/** The CouchDB API the pouch store relies on, against whatever server `server()` returns. */
function couchApiTests(server: () => CouchServer): void {
  test('creates a database, puts and gets a document', async () => {
    expect((await call(server(), 'PUT', 'sessions')).status).toBe(201);
    const put = await call(server(), 'PUT', 'sessions/sid-1', { user: 'ada', type: 'session' });
    expect(put.status).toBe(201);
    expect(put.json.rev).toMatch(/^1-/);
    const got = await call(server(), 'GET', 'sessions/sid-1');
    expect(got.json).toMatchObject({ _id: 'sid-1', user: 'ada', _rev: put.json.rev });
    expect((await call(server(), 'GET', 'sessions/missing')).status).toBe(404);
  });

  test('_changes lists the writes', async () => {
    await call(server(), 'PUT', 'sessions/sid-2', { user: 'bob', type: 'session' });
    const changes = await call(server(), 'GET', 'sessions/_changes?since=0');
    const ids = (changes.json.results as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['sid-1', 'sid-2']));
    expect(changes.json.last_seq).toBeDefined();
  });

  test('mango _index and _find select by field', async () => {
    const index = await call(server(), 'POST', 'sessions/_index', { index: { fields: ['user'] } });
    expect(index.status).toBe(200);
    const found = await call(server(), 'POST', 'sessions/_find', { selector: { user: 'bob' } });
    expect(found.status).toBe(200);
    expect((found.json.docs as Json[]).map((d) => d._id)).toEqual(['sid-2']);
  });

  test('_bulk_docs, _all_docs and a design-doc view work', async () => {
    const bulk = await call(server(), 'POST', 'sessions/_bulk_docs', {
      docs: [
        { _id: 'b1', type: 'bulk', n: 1 },
        { _id: 'b2', type: 'bulk', n: 2 },
      ],
    });
    expect(bulk.status).toBe(201);
    const all = await call(server(), 'GET', 'sessions/_all_docs?startkey="b"&endkey="b\uffff"');
    expect((all.json.rows as { id: string }[]).map((r) => r.id)).toEqual(['b1', 'b2']);
    await call(server(), 'PUT', 'sessions/_design/by', {
      views: { type: { map: 'function (doc) { emit(doc.type, doc.n || 0); }', reduce: '_sum' } },
    });
    const view = await call(server(), 'GET', 'sessions/_design/by/_view/type?key="bulk"');
    expect(view.json.rows).toEqual([{ key: null, value: 3 }]);
  });

  test('_all_dbs lists the database', async () => {
    const response = await fetch(new URL('_all_dbs', server().url));
    expect(await response.json()).toContain('sessions');
  });
}

describeWithBackend(
  'couchdb',
  'startCouchServer (child process)',
  () => {
    const couch = useCouchServer({ env: binaryEnv });

    test('listens on a free loopback port in a child process', () => {
      expect(couch().source).toBe('child-process');
      expect(couch().url).toBe(`http://127.0.0.1:${couch().port}/`);
      expect(couch().port).not.toBe(5984);
      expect(couch().pid).not.toBe(process.pid);
    });

    couchApiTests(couch);

    test('writes no config or log files into the working directory', () => {
      for (const name of ['config.json', 'log.txt', 'pouch__all_dbs__']) {
        expect(existsSync(join(process.cwd(), name))).toBe(false);
        expect(existsSync(join(__dirname, '..', 'src', name))).toBe(false);
      }
    });

    test('kill() makes it refuse connections and restart() serves again on the same port, empty', async () => {
      const { port } = couch();
      const oldPid = couch().pid;
      await couch().kill();
      expect(oldPid !== undefined && processExists(oldPid)).toBe(false);
      await expect(fetch(couch().url)).rejects.toThrow();
      await couch().restart();
      expect(couch().port).toBe(port);
      expect((await call(couch(), 'GET', 'sessions')).status).toBe(404);
    });
  },
  binaryEnv,
);

describeWithBackend(
  'couchdb',
  'startCouchServer (in-process)',
  () => {
    const couch = useCouchServer({ inProcess: true, env: binaryEnv });

    test('runs inside the test process', () => {
      expect(couch().source).toBe('in-process');
      expect(couch().pid).toBeUndefined();
    });

    couchApiTests(couch);

    test('refuses a second concurrent in-process server, and kill()', async () => {
      await expect(startCouchServer({ inProcess: true })).rejects.toThrow('only one in-process couch server');
      await expect(couch().kill()).rejects.toThrow(/child process/);
    });
  },
  binaryEnv,
);

describe('couch server lifecycle', () => {
  test('stop() ends the child process', async () => {
    const couch = await startCouchServer({ env: binaryEnv });
    const { pid } = couch;
    await couch.stop();
    expect(pid !== undefined && processExists(pid)).toBe(false);
    await expect(fetch(couch.url)).rejects.toThrow();
  });

  test('a later in-process server starts empty although PouchDB memory outlives the first', async () => {
    const first = await startCouchServer({ inProcess: true });
    expect((await call(first, 'PUT', 'left-over')).status).toBe(201);
    await first.stop();
    const second = await startCouchServer({ inProcess: true });
    try {
      expect((await call(second, 'GET', 'left-over')).status).toBe(404);
      expect((await call(second, 'PUT', 'left-over')).status).toBe(201);
      expect(await (await fetch(new URL('_all_dbs', second.url))).json()).toEqual(['left-over']);
    } finally {
      await second.stop();
    }
  });

  test('COUCHDB_URL is returned as is, with a trailing slash, and never stopped', async () => {
    const couch = await startCouchServer({ env: { COUCHDB_URL: 'http://admin:pw@127.0.0.1:15984' } });
    expect(couch.source).toBe('env');
    expect(couch.url).toBe('http://admin:pw@127.0.0.1:15984/');
    expect(couch.port).toBe(15984);
    await couch.stop();
    await expect(couch.restart()).rejects.toThrow(/COUCHDB_URL/);
  });
});
