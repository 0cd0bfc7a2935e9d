// The demo's settings, from the command line first and the environment second.
const { DEFAULT_STORE } = require('./stores');

/** Used when SESSION_SECRET is not set: fine for a demo on your machine, never for anything else. */
const DEMO_SECRET = 'session-stores-demo-secret-change-me';

const USAGE = `usage: node src/server.js [--store <name>] [--url <url>] [--port <n>]

  --store <name>  pouch (default), memory, redis, redis-cluster, replicated, aerospike
                  (or SESSION_STORE)
  --url <url>     where the store's server is; overrides its variable:
                  pouch COUCHDB_URL (in memory when unset), redis REDIS_URL,
                  redis-cluster REDIS_CLUSTER_URLS, replicated REDIS_REPLICA_URLS,
                  aerospike AEROSPIKE_HOSTS (lists are comma-separated)
  --port <n>      default PORT, else 3000
  SESSION_SECRET  the cookie signing secret (a demo default is used, with a warning)`;

/** A command line the demo cannot make sense of. */
class UsageError extends Error {
  constructor(message) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

/**
 * Reads the settings.
 * @param {string[]} argv arguments after `node src/server.js`
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ store: string, url: string | undefined, port: number, secret: string, warnings: string[], help: boolean }}
 */
function readConfig(argv, env) {
  const flags = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--help' || arg === '-h') return { help: true };
    const match = /^--(store|url|port)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown argument "${arg}"`);
    const value = match[2] ?? argv[++index];
    if (value === undefined || value === '') throw new UsageError(`--${match[1]} needs a value`);
    flags[match[1]] = value;
  }
  const port = Number(flags.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`invalid port "${flags.port ?? env.PORT}"`);
  }
  const warnings = [];
  let secret = env.SESSION_SECRET;
  if (!secret) {
    secret = DEMO_SECRET;
    warnings.push(
      'SESSION_SECRET is not set: using the demo secret. Set it to a long random value anywhere but your own machine.',
    );
  }
  return {
    help: false,
    store: flags.store ?? (env.SESSION_STORE || DEFAULT_STORE),
    url: flags.url,
    port,
    secret,
    warnings,
  };
}

module.exports = { DEMO_SECRET, USAGE, UsageError, readConfig };
