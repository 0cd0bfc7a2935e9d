// The stores the demo can run on: one entry per `--store` name. Every package is
// required lazily, inside `create`, so a backend that is not installed or not built
// yet only matters to whoever picks it.

/** A store the demo cannot use here (package missing or not built, settings missing). */
class StoreUnavailableError extends Error {
  /**
   * @param {string} message what is missing and how to get it
   * @param {{ cause?: unknown }} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Requires one of our packages; when it cannot be loaded (not installed, or not built
 * so `dist/` is missing), throws a StoreUnavailableError that says so and how to fix it.
 * Errors raised while the package itself runs are passed on untouched.
 * @param {string} storeName the `--store` name, for the message
 * @param {string} packageName e.g. `@session-stores/redis-store`
 * @param {(id: string) => unknown} [load] `require`, replaceable in tests
 */
function loadPackage(storeName, packageName, load = require) {
  try {
    return load(packageName);
  } catch (err) {
    const missing =
      err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(packageName.split('/')[1]);
    if (!missing) throw err;
    const firstLine = String(err.message).split('\n')[0];
    throw new StoreUnavailableError(
      `store "${storeName}" is not available yet: ${packageName} cannot be loaded (${firstLine}). ` +
        `Build it with "npx pnpm@10.34.9 exec turbo run build --filter=${packageName}", ` +
        'or run "npm run demo" from the repository root, which installs and builds everything.',
      { cause: err },
    );
  }
}

/**
 * The Store class of a backend package, bound to the demo's express-session through
 * the classic factory every backend exports (`require(pkg)(session)`).
 * @returns {new (...args: any[]) => import('@session-stores/core').SessionStore}
 */
function storeClassOf(storeName, packageName, load = require) {
  const pkg = loadPackage(storeName, packageName, load);
  const factory = typeof pkg === 'function' ? pkg : pkg?.default;
  if (typeof factory !== 'function') {
    throw new StoreUnavailableError(`store "${storeName}": ${packageName} exports no classic factory`);
  }
  return factory(require('express-session'));
}

/**
 * The demo's users: the name its login stores in `req.session.user`. Every store is built
 * with it, so the page can list "your sessions" and log out everywhere else.
 * @param {Record<string, unknown>} session
 */
function userOf(session) {
  return typeof session.user === 'string' && session.user !== '' ? session.user : undefined;
}

/** Splits a comma-separated list of URLs or hosts, dropping blanks. */
function list(value) {
  return String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A setting the chosen store needs: `--url` wins over its environment variable. */
function required(settings, storeName, envName, example) {
  const value = settings.url ?? settings.env[envName];
  if (!value || !String(value).trim()) {
    throw new StoreUnavailableError(
      `store "${storeName}" needs ${envName} (or --url), e.g. ${envName}=${example}`,
    );
  }
  return String(value).trim();
}

/**
 * Hides the password of a URL (COUCHDB_URL usually carries one) before it is shown.
 * Anything that is not a URL is returned as it is.
 */
function redact(text) {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/** The database used when a CouchDB URL names the server but no database. */
const DEMO_DATABASE = 'session-stores-demo';

/**
 * The registry. `create(settings)` returns `{ store, detail, close }`: the store, what
 * it is connected to (shown on the page, passwords hidden) and how to release it and
 * anything created for it.
 * @type {Record<string, { packageName: string, summary: string, env?: string, create(settings: { url?: string, env: NodeJS.ProcessEnv, load?: (id: string) => unknown }): Promise<{ store: import('@session-stores/core').SessionStore, detail: string, close(): Promise<void> }> }>}
 */
const STORES = {
  pouch: {
    packageName: '@session-stores/pouch-store',
    summary: 'PouchDB in memory (the default: no server), or a CouchDB database',
    env: 'COUCHDB_URL',
    async create(settings) {
      const PouchStore = storeClassOf('pouch', this.packageName, settings.load);
      const url = settings.url ?? settings.env.COUCHDB_URL;
      if (!url) {
        const store = new PouchStore({ userOf });
        return { store, detail: 'in-memory PouchDB (lost on restart)', close: () => store.close() };
      }
      // COUCHDB_URL usually names the server only; the demo then uses a database of its own.
      const parsed = new URL(url);
      if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = `/${DEMO_DATABASE}`;
      const store = new PouchStore(parsed.toString(), { userOf });
      await store.ready();
      return { store, detail: redact(parsed.toString()), close: () => store.close() };
    },
  },
  memory: {
    packageName: '@session-stores/core',
    summary: 'MemoryStore of @session-stores/core (one process, lost on restart)',
    async create(settings) {
      const { MemoryStore } = loadPackage('memory', this.packageName, settings.load);
      const store = new MemoryStore({ maxSessions: 10_000, userOf });
      return { store, detail: 'in process, at most 10,000 sessions', close: () => store.close() };
    },
  },
  redis: {
    packageName: '@session-stores/redis-store',
    summary: 'one Redis server',
    env: 'REDIS_URL',
    async create(settings) {
      const RedisStore = storeClassOf('redis', this.packageName, settings.load);
      const url = required(settings, 'redis', 'REDIS_URL', 'redis://127.0.0.1:6379');
      const store = new RedisStore({ url, userOf });
      await store.ready();
      return { store, detail: redact(url), close: () => store.close() };
    },
  },
  'redis-cluster': {
    packageName: '@session-stores/redis-store',
    summary: 'a Redis Cluster (node-redis createCluster)',
    env: 'REDIS_CLUSTER_URLS',
    async create(settings) {
      const RedisStore = storeClassOf('redis-cluster', this.packageName, settings.load);
      const urls = list(required(settings, 'redis-cluster', 'REDIS_CLUSTER_URLS', 'redis://127.0.0.1:7000'));
      const { createCluster } = require('redis');
      const cluster = createCluster({ rootNodes: urls.map((url) => ({ url })) });
      await cluster.connect();
      // The store never closes a client it was given, so the demo closes the cluster itself.
      const store = new RedisStore({ client: cluster, userOf });
      const close = async () => {
        await store.close();
        await cluster.close();
      };
      return { store, detail: urls.map(redact).join(', '), close };
    },
  },
  replicated: {
    packageName: '@session-stores/expredis-replicated',
    summary: 'several independent Redis servers (writes to a quorum, reads the first answer)',
    env: 'REDIS_REPLICA_URLS',
    async create(settings) {
      const ReplicatedStore = storeClassOf('replicated', this.packageName, settings.load);
      const urls = list(
        required(
          settings,
          'replicated',
          'REDIS_REPLICA_URLS',
          'redis://127.0.0.1:6380,redis://127.0.0.1:6381',
        ),
      );
      // `clients`: one connection config per server, as in expredis.
      const store = new ReplicatedStore({ clients: urls.map((url) => ({ url })), userOf });
      await store.ready();
      return { store, detail: urls.map(redact).join(', '), close: () => store.close() };
    },
  },
  aerospike: {
    packageName: '@session-stores/aerospike-store',
    summary: 'an Aerospike cluster',
    env: 'AEROSPIKE_HOSTS',
    async create(settings) {
      const AerospikeStore = storeClassOf('aerospike', this.packageName, settings.load);
      const hosts = required(settings, 'aerospike', 'AEROSPIKE_HOSTS', '127.0.0.1:3000');
      const store = new AerospikeStore({ hosts, userOf });
      await store.ready();
      return { store, detail: `${hosts} (namespace test, set express-session)`, close: () => store.close() };
    },
  },
};

/** The store the demo starts on when none is chosen: embedded, nothing to install. */
const DEFAULT_STORE = 'pouch';

/**
 * Creates the store called `name`.
 * @param {string} name a key of {@link STORES}
 * @param {{ url?: string, env?: NodeJS.ProcessEnv, load?: (id: string) => unknown }} [settings]
 */
async function createStore(name, settings = {}) {
  const entry = Object.hasOwn(STORES, name) ? STORES[name] : undefined;
  if (!entry) {
    throw new StoreUnavailableError(
      `unknown store "${name}": choose one of ${Object.keys(STORES).join(', ')}`,
    );
  }
  const created = await entry.create({ env: process.env, ...settings });
  return { name, packageName: entry.packageName, summary: entry.summary, ...created };
}

module.exports = { DEFAULT_STORE, STORES, StoreUnavailableError, createStore, loadPackage, redact };
