const { readFileSync } = require('node:fs');
const path = require('node:path');
const { describe, expect, test } = require('@jest/globals');
const { MemoryStore } = require('@session-stores/core');
const { PouchStore } = require('@session-stores/pouch-store');
const { DEMO_SECRET, UsageError, readConfig } = require('../src/config');
const { STORES, StoreUnavailableError, createStore, loadPackage, redact } = require('../src/stores');

/** A `require` that finds nothing, the way Node reports a package that is not installed. */
const requireNothing = (id) => {
  const err = new Error(`Cannot find module '${id}'\nRequire stack:\n- /somewhere`);
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};

describe('readConfig', () => {
  test('defaults: the embedded pouch store, port 3000, the demo secret with a warning', () => {
    const config = readConfig([], {});
    expect(config).toMatchObject({ store: 'pouch', url: undefined, port: 3000, secret: DEMO_SECRET });
    expect(config.warnings).toEqual([expect.stringContaining('SESSION_SECRET is not set')]);
  });

  test('SESSION_STORE, PORT and SESSION_SECRET come from the environment, without a warning', () => {
    const config = readConfig([], { SESSION_STORE: 'memory', PORT: '4000', SESSION_SECRET: 's3cret' });
    expect(config).toMatchObject({ store: 'memory', port: 4000, secret: 's3cret', warnings: [] });
  });

  test('flags win over the environment, in both --flag value and --flag=value forms', () => {
    const config = readConfig(['--store', 'redis', '--url=redis://127.0.0.1:16379', '--port', '0'], {
      SESSION_STORE: 'memory',
      PORT: '4000',
    });
    expect(config).toMatchObject({ store: 'redis', url: 'redis://127.0.0.1:16379', port: 0 });
  });

  test('a bad command line is a UsageError that shows the usage', () => {
    expect(() => readConfig(['--stroe', 'redis'], {})).toThrow(UsageError);
    expect(() => readConfig(['--store'], {})).toThrow('--store needs a value');
    expect(() => readConfig(['--port', 'x'], {})).toThrow(/invalid port "x"[\s\S]*usage:/);
  });
});

describe('the store registry', () => {
  test("offers exactly the stores of the demo README's table, in its order", () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Stores'), readme.indexOf('## Settings'));
    const documented = [...section.matchAll(/^\| `([a-z-]+)`/gm)].map((match) => match[1]);
    expect(Object.keys(STORES)).toEqual(documented);
    expect(documented).toEqual(['pouch', 'memory', 'redis', 'redis-cluster', 'replicated', 'aerospike']);
  });

  test('an unknown name lists the choices', async () => {
    await expect(createStore('mongo', { env: {} })).rejects.toThrow(
      'unknown store "mongo": choose one of pouch, memory, redis, redis-cluster, replicated, aerospike',
    );
  });

  test('memory is core’s MemoryStore', async () => {
    const created = await createStore('memory', { env: {} });
    expect(created.store).toBeInstanceOf(MemoryStore);
    await created.store.set('a', { cookie: { maxAge: 1000 }, n: 1 });
    expect(await created.store.get('a')).toMatchObject({ n: 1 });
    await created.close();
    expect(created.store.closed).toBe(true);
  });

  test('pouch without a URL is an in-memory PouchStore bound to the demo’s express-session', async () => {
    const created = await createStore('pouch', { env: {} });
    expect(created.store).toBeInstanceOf(PouchStore);
    expect(created.store).toBeInstanceOf(require('express-session').Store);
    expect(created.detail).toBe('in-memory PouchDB (lost on restart)');
    await created.close();
  });

  test('a store whose package cannot be loaded is "not available yet", naming the package', async () => {
    const attempt = createStore('replicated', {
      env: { REDIS_REPLICA_URLS: 'redis://a,redis://b' },
      load: requireNothing,
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.toThrow(
      /^store "replicated" is not available yet: @session-stores\/expredis-replicated cannot be loaded \(Cannot find module '@session-stores\/expredis-replicated'\)/,
    );
  });

  test('an error raised inside a package that does load is not disguised as "not available"', () => {
    const broken = () => {
      throw new TypeError('boom inside the package');
    };
    expect(() => loadPackage('redis', '@session-stores/redis-store', broken)).toThrow(TypeError);
  });

  test.each([
    ['redis', 'REDIS_URL'],
    ['redis-cluster', 'REDIS_CLUSTER_URLS'],
    ['aerospike', 'AEROSPIKE_HOSTS'],
  ])('%s without %s (or --url) says which variable to set', async (name, variable) => {
    // A fake package, so this checks the settings whether or not the real one is built.
    const fakeFactory = () => class {};
    await expect(createStore(name, { env: {}, load: () => fakeFactory })).rejects.toThrow(
      new RegExp(`^store "${name}" needs ${variable} \\(or --url\\)`),
    );
  });

  test('redact hides URL passwords and leaves other text alone', () => {
    expect(redact('http://admin:admin@127.0.0.1:15984/sessions')).toBe(
      'http://admin:***@127.0.0.1:15984/sessions',
    );
    expect(redact('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redact('127.0.0.1:3000')).toBe('127.0.0.1:3000');
  });
});
