import { availability, type Backend, isRequired } from './availability';
import { type CouchServer, type StartCouchServerOptions, startCouchServer } from './couch-server';
import { deleteByPrefix, type RespCommander } from './delete-by-prefix';
import { oneLineError } from './install-hints';
import { type RedisCluster, type StartRedisClusterOptions, startRedisCluster } from './redis-cluster';
import {
  type RedisSentinelSetup,
  type StartRedisSentinelOptions,
  startRedisSentinel,
} from './redis-sentinel';
import { type RedisServer, type StartRedisOptions, startRedis, startRedisGroup } from './redis-server';

type JestGlobals = typeof import('@jest/globals');

/**
 * Loaded lazily: `@jest/globals` throws when imported outside jest, and this package's server starters
 * are also useful to scripts (benchmarks, the demo).
 */
export function jestGlobals(): JestGlobals {
  return require('@jest/globals') as JestGlobals;
}

/** Time allowed to start a server in `beforeAll` (a cluster or sentinel setup takes a few seconds). */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * `describe(title, fn)` when `backend` is available. Otherwise, when `STORE_TEST_REQUIRE` names it, the
 * test file fails with one line saying how to install it; else the block is skipped visibly, the reason
 * in its title: `redis [skipped: redis-server not found on PATH: ...]`.
 */
export function describeWithBackend(
  backend: Backend,
  title: string,
  fn: () => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const { describe } = jestGlobals();
  let required: boolean;
  try {
    // Validated on every call, so a typo in CI fails even when every backend happens to be present.
    required = isRequired(backend, env);
  } catch (error) {
    throw oneLineError((error as Error).message);
  }
  const found = availability(backend, env);
  if (found.available) {
    describe(title, fn);
    return;
  }
  if (required) {
    throw oneLineError(`${backend} is required by STORE_TEST_REQUIRE but unavailable: ${found.reason}`);
  }
  describe.skip(`${title} [skipped: ${found.reason}]`, fn);
}

/** A getter for a value that exists only between `beforeAll` and `afterAll`. */
export type Started<T> = () => T;

/**
 * Registers `beforeAll(start)` and `afterAll(stop)` in the current describe block and returns a getter.
 * Inside a skipped block neither hook runs, so nothing is started.
 */
export function useStarted<T>(
  label: string,
  start: () => Promise<T> | T,
  stop: (value: T) => Promise<void>,
): Started<T> {
  const { beforeAll, afterAll } = jestGlobals();
  let holder: { value: T } | undefined;
  beforeAll(async () => {
    holder = { value: await start() };
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    if (holder) await stop(holder.value);
    holder = undefined;
  }, STOP_TIMEOUT_MS);
  return () => {
    if (!holder)
      throw new Error(`${label} is not running: use it inside tests or hooks, not at registration time`);
    return holder.value;
  };
}

/** One Redis server for the enclosing describe block, see {@link startRedis}. */
export function useRedis(options?: StartRedisOptions): Started<RedisServer> {
  return useStarted(
    'redis',
    () => startRedis(options),
    (server) => server.stop(),
  );
}

/** `count` independent Redis servers for the enclosing describe block, see {@link startRedisGroup}. */
export function useRedisGroup(
  count: number,
  options?: Omit<StartRedisOptions, 'ownProcess'>,
): Started<RedisServer[]> {
  let stopGroup: () => Promise<void> = async () => {};
  return useStarted(
    'redis group',
    async () => {
      const group = await startRedisGroup(count, options);
      stopGroup = group.stop;
      return group.servers;
    },
    () => stopGroup(),
  );
}

/** A three-master Redis Cluster for the enclosing describe block, see {@link startRedisCluster}. */
export function useRedisCluster(options?: StartRedisClusterOptions): Started<RedisCluster> {
  return useStarted(
    'redis cluster',
    () => startRedisCluster(options),
    (cluster) => cluster.stop(),
  );
}

/** A master, a replica and three sentinels for the enclosing describe block, see {@link startRedisSentinel}. */
export function useRedisSentinel(options?: StartRedisSentinelOptions): Started<RedisSentinelSetup> {
  return useStarted(
    'redis sentinel',
    () => startRedisSentinel(options),
    (setup) => setup.stop(),
  );
}

/** A CouchDB-compatible server for the enclosing describe block, see {@link startCouchServer}. */
export function useCouchServer(options?: StartCouchServerOptions): Started<CouchServer> {
  return useStarted(
    'couch server',
    () => startCouchServer(options),
    (server) => server.stop(),
  );
}

/** Options of {@link cleanUpPrefix}. */
export interface CleanUpOptions {
  /**
   * Ignore a server that cannot be cleaned (for blocks whose tests kill or stall servers:
   * a killed server's keys are gone with it). By default such a failure fails the block.
   */
  readonly tolerateDown?: boolean;
}

/**
 * Deletes the keys under `prefix` after the block's tests, on one server or several (it
 * matters on servers from REDIS_URL and the like, shared with others). jest runs `afterAll`
 * hooks in declaration order, so servers started for the block may already be stopped, and
 * their keys gone with them: then there is nothing to do.
 */
export function cleanUpPrefix(
  servers: () => RespCommander | readonly RespCommander[],
  prefix: string,
  options: CleanUpOptions = {},
): void {
  const { afterAll } = jestGlobals();
  afterAll(async () => {
    let running: RespCommander | readonly RespCommander[];
    try {
      running = servers();
    } catch {
      return;
    }
    const list: readonly RespCommander[] = Array.isArray(running) ? running : [running as RespCommander];
    await Promise.all(
      list.map((server) => {
        const deleting = deleteByPrefix(server, prefix);
        return options.tolerateDown ? deleting.catch(() => 0) : deleting;
      }),
    );
  }, STOP_TIMEOUT_MS);
}
