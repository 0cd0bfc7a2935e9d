import { findExecutable } from './find-executable';
import { missingBinaryMessage } from './install-hints';

/** The backends the store tests know how to find. */
export type Backend = 'redis' | 'redis-cluster' | 'redis-sentinel' | 'couchdb' | 'aerospike';

/** Every {@link Backend}, in a stable order. */
export const BACKENDS: readonly Backend[] = [
  'redis',
  'redis-cluster',
  'redis-sentinel',
  'couchdb',
  'aerospike',
];

/** Whether a backend can be used here, and how (`env`: a URL variable; `binary`: PATH; `in-process`: npm). */
export type Availability =
  | { available: true; source: 'env' | 'binary' | 'in-process' }
  | { available: false; reason: string };

function has(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

function canResolve(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides synchronously (env and PATH only, no connection attempt) whether `backend` can be used, so
 * skip-or-run is known while jest registers `describe` blocks. Resolution order: env variable, binary
 * on PATH, in-process server from npm.
 */
export function availability(backend: Backend, env: NodeJS.ProcessEnv = process.env): Availability {
  switch (backend) {
    case 'redis':
      if (has(env, 'REDIS_URL')) return { available: true, source: 'env' };
      if (findExecutable('redis-server', env)) return { available: true, source: 'binary' };
      return { available: false, reason: missingBinaryMessage('redis-server', 'REDIS_URL') };
    case 'redis-cluster':
      if (has(env, 'REDIS_CLUSTER_URLS')) return { available: true, source: 'env' };
      for (const binary of ['redis-server', 'redis-cli']) {
        if (!findExecutable(binary, env)) {
          return { available: false, reason: missingBinaryMessage(binary, 'REDIS_CLUSTER_URLS') };
        }
      }
      return { available: true, source: 'binary' };
    case 'redis-sentinel':
      // Failover tests kill the master, so only servers the tests start will do: no env form.
      if (!findExecutable('redis-server', env))
        return { available: false, reason: missingBinaryMessage('redis-server') };
      // redis-server runs as a sentinel with --sentinel, so redis-sentinel itself is optional.
      return { available: true, source: 'binary' };
    case 'couchdb':
      if (has(env, 'COUCHDB_URL')) return { available: true, source: 'env' };
      if (canResolve('express-pouchdb') && canResolve('pouchdb-adapter-memory')) {
        return { available: true, source: 'in-process' };
      }
      return {
        available: false,
        reason: 'express-pouchdb not installed: run "pnpm install" or set COUCHDB_URL',
      };
    case 'aerospike':
      if (has(env, 'AEROSPIKE_HOSTS')) return { available: true, source: 'env' };
      return {
        available: false,
        reason:
          'no Aerospike server: set AEROSPIKE_HOSTS, e.g. 127.0.0.1:13000 after ' +
          '"docker compose -f docker/compose.yml --profile aerospike up -d --wait"',
      };
  }
}

/**
 * Names `STORE_TEST_REQUIRE` may carry that are not backends: tools other tests look for
 * themselves (`chromium`: the demo's browser test). They are accepted and left out here.
 */
export const OTHER_REQUIREMENTS: readonly string[] = ['chromium'];

/**
 * The backends named in `STORE_TEST_REQUIRE` (comma-separated). An unknown name throws, so a typo in CI
 * cannot silently turn a required backend into a skipped one.
 */
export function requiredBackends(env: NodeJS.ProcessEnv = process.env): Backend[] {
  const names = (env.STORE_TEST_REQUIRE ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && !OTHER_REQUIREMENTS.includes(name));
  const unknown = names.filter((name) => !(BACKENDS as readonly string[]).includes(name));
  if (unknown.length) {
    throw new Error(
      `STORE_TEST_REQUIRE names unknown backend(s) ${unknown.join(', ')}; known: ${[...BACKENDS, ...OTHER_REQUIREMENTS].join(', ')}`,
    );
  }
  return names as Backend[];
}

/** True when `STORE_TEST_REQUIRE` names `backend`, i.e. an unavailable backend must fail the run. */
export function isRequired(backend: Backend, env: NodeJS.ProcessEnv = process.env): boolean {
  return requiredBackends(env).includes(backend);
}
