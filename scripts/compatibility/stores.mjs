// The stores of the compatibility report: which npm packages each needs, which backend,
// and the store module the command line is given (written into the report's temp
// directory, so each store resolves its own express-session there).

/** A JavaScript string literal. */
const literal = (value) => JSON.stringify(value);

/**
 * Source of a raw node-redis client for a store module (\`client\`, connected in setup) and
 * the kit's inspect hooks over it, for stores that key sessions as prefix + id.
 */
const redisAccess = (url) => `
const { createClient } = require('redis');
let client;
const key = (store, sid) => store.prefix + sid;
const access = {
  async setup() {
    client = createClient({ url: ${literal(url)} });
    await client.connect();
  },
  async teardown() {
    await client?.quit();
  },
  inspect: {
    exists: async (store, sid) => (await client.exists(key(store, sid))) === 1,
    ttl: async (store, sid) => {
      const ms = await client.pTTL(key(store, sid));
      if (ms === -2) throw new Error('no key for session ' + sid);
      return ms === -1 ? null : ms;
    },
    corrupt: async (store, sid) => {
      await client.sendCommand(['SET', key(store, sid), '{"cookie": tru', 'PX', '60000']);
    },
    writeForeign: async (_store, foreign) => {
      await client.sendCommand(['SET', foreign, '{}', 'PX', '60000']);
    },
    foreignExists: async (_store, foreign) => (await client.exists(foreign)) === 1,
  },
};
`;

/**
 * Each entry: `id` (file name), `label` (the report's name for it), `package` (its version goes in the report), `install`
 * (npm packages), `backend` ('redis', 'postgres', 'mariadb', or a description of a local
 * one), and `module(context)`, the store module's source, given the started backends and
 * a scratch directory.
 */
export const STORES = [
  {
    id: 'connect-redis',
    label: 'connect-redis',
    package: 'connect-redis',
    install: ['connect-redis', 'redis'],
    backend: 'redis',
    module: ({ redis }) => `
${redisAccess(redis.url)}
const { RedisStore } = require('connect-redis');
module.exports = {
  name: 'connect-redis',
  ...access,
  createStore: ({ prefix }) => new RedisStore({ client, prefix }),
  closeStore: async () => {},
  // Redis expires keys by itself; the store uses the prefix it is given.
  capabilities: { expiresOnServer: true, prefixIsolation: true, ttlGranularityMs: 1000 },
};
`,
  },
  {
    id: 'connect-pg-simple',
    label: 'connect-pg-simple',
    package: 'connect-pg-simple',
    install: ['connect-pg-simple', 'pg'],
    backend: 'postgres',
    module: ({ postgres }) => `
const session = require('express-session');
const { Pool } = require('pg');
const PgStore = require('connect-pg-simple')(session);
let pool;
module.exports = {
  name: 'connect-pg-simple',
  setup() {
    pool = new Pool({ host: '127.0.0.1', port: ${postgres.port}, user: 'postgres', database: 'postgres', max: 20 });
  },
  teardown: () => pool?.end(),
  // One table for every store (the store has no prefix): no prefix isolation is claimed.
  createStore: () => new PgStore({ pool, createTableIfMissing: true, pruneSessionInterval: false }),
  closeStore: async (store) => store.close(),
  capabilities: { ttlGranularityMs: 1000 },
  inspect: {
    exists: async (_store, sid) =>
      (await pool.query('SELECT 1 FROM session WHERE sid = $1 AND expire >= now()', [sid])).rowCount === 1,
    ttl: async (_store, sid) => {
      const { rows } = await pool.query('SELECT (extract(epoch FROM expire - now()) * 1000)::float AS ms FROM session WHERE sid = $1', [sid]);
      if (rows.length === 0) throw new Error('no row for ' + sid);
      return rows[0].ms;
    },
  },
};
`,
  },
  {
    id: 'express-mysql-session',
    label: 'express-mysql-session',
    package: 'express-mysql-session',
    install: ['express-mysql-session', 'mysql2'],
    backend: 'mariadb',
    module: ({ mariadb }) => `
const session = require('express-session');
const mysql = require('mysql2/promise');
const MySQLStore = require('express-mysql-session')(session);
const connection = { host: '127.0.0.1', port: ${mariadb.port}, user: 'root', database: ${literal(mariadb.database)} };
let pool;
module.exports = {
  name: 'express-mysql-session',
  setup() {
    pool = mysql.createPool(connection);
  },
  teardown: () => pool?.end(),
  // One table for every store (the store has no prefix): no prefix isolation is claimed.
  async createStore() {
    const store = new MySQLStore({ ...connection, createDatabaseTable: true, clearExpired: false });
    await store.onReady();
    return store;
  },
  closeStore: (store) => store.close(),
  capabilities: { ttlGranularityMs: 1000 },
  inspect: {
    exists: async (_store, sid) => {
      const [rows] = await pool.query('SELECT 1 FROM sessions WHERE session_id = ? AND expires > UNIX_TIMESTAMP()', [sid]);
      return rows.length === 1;
    },
    ttl: async (_store, sid) => {
      const [rows] = await pool.query('SELECT expires FROM sessions WHERE session_id = ?', [sid]);
      if (rows.length === 0) throw new Error('no row for ' + sid);
      return rows[0].expires * 1000 - Date.now();
    },
    corrupt: async (_store, sid) => {
      await pool.query('REPLACE INTO sessions (session_id, expires, data) VALUES (?, UNIX_TIMESTAMP() + 60, ?)', [sid, '{"cookie": tru']);
    },
  },
};
`,
  },
  {
    id: 'connect-sqlite3',
    label: 'connect-sqlite3',
    package: 'connect-sqlite3',
    install: ['connect-sqlite3'],
    nativeBuild: 'sqlite3',
    backend: 'SQLite (a file per store)',
    module: ({ scratch }) => `
const session = require('express-session');
const SQLiteStore = require('connect-sqlite3')(session);
let count = 0;
module.exports = {
  name: 'connect-sqlite3',
  // A database file per store: stores never share data.
  createStore: () => new SQLiteStore({ dir: ${literal(scratch)}, db: 'kit-' + process.pid + '-' + (count += 1) + '.sqlite' }),
  closeStore: (store) => new Promise((resolve) => store.db.close(() => resolve())),
  capabilities: { ttlGranularityMs: 1 },
};
`,
  },
  {
    id: 'session-file-store',
    label: 'session-file-store',
    package: 'session-file-store',
    install: ['session-file-store'],
    backend: 'files (a directory per store)',
    module: ({ scratch }) => `
const { join } = require('node:path');
const session = require('express-session');
const FileStore = require('session-file-store')(session);
let count = 0;
module.exports = {
  name: 'session-file-store',
  // A directory per store; no reaping timer, no retries, no logging.
  createStore: () =>
    new FileStore({ path: join(${literal(scratch)}, 'files-' + (count += 1)), reapInterval: -1, retries: 0, logFn() {} }),
  closeStore: async () => {},
};
`,
  },
  {
    id: 'memorystore',
    label: 'memorystore',
    package: 'memorystore',
    install: ['memorystore'],
    backend: 'memory (in process)',
    module: () => `
const session = require('express-session');
const MemoryStore = require('memorystore')(session);
module.exports = {
  name: 'memorystore',
  createStore: () => new MemoryStore({ checkPeriod: 60_000 }),
  closeStore: async (store) => store.stopInterval(),
};
`,
  },
  {
    id: 'express-session-memory',
    label: "express-session's MemoryStore",
    package: 'express-session',
    install: [],
    backend: 'memory (in process)',
    module: () => `
const session = require('express-session');
module.exports = {
  name: "express-session's MemoryStore",
  createStore: () => new session.MemoryStore(),
};
`,
  },
  {
    id: 'session-stores-redis-store',
    label: '@session-stores/redis-store (ours)',
    package: '@session-stores/redis-store',
    workspace: 'packages/redis-store',
    install: ['redis'],
    backend: 'redis',
    module: ({ redis, repository }) => `${redisAccess(redis.url)}
const { RedisStore } = require(${literal(`${repository}/packages/redis-store`)});
module.exports = {
  name: '@session-stores/redis-store',
  ...access,
  async createStore({ prefix, options }) {
    const store = new RedisStore({ ...options, prefix, url: ${literal(redis.url)} });
    await store.ready();
    return store;
  },
};
`,
  },
  {
    id: 'session-stores-core-memory',
    label: '@session-stores/core MemoryStore (ours)',
    package: '@session-stores/core',
    workspace: 'packages/core',
    install: [],
    backend: 'memory (in process)',
    module: ({ repository }) => `
const { MemoryDatabase, MemoryStore } = require(${literal(`${repository}/packages/core`)});
// One database for every store the kit makes, as one server would be: stores given the same
// prefix see the same sessions, and prefix isolation is tested for real.
const database = new MemoryDatabase();
module.exports = {
  name: '@session-stores/core MemoryStore',
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix, database }),
};
`,
  },
];
