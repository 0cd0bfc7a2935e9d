import { afterAll, beforeAll } from '@jest/globals';
import type { ConformanceInspect } from '@session-stores/core/conformance';
import { deleteByPrefix, type RespCommander } from '@session-stores/test-servers';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { RedisStore, type RedisStoreOptions } from '../src';

/** Sends one raw command to the server holding the key (a cluster-aware client for a cluster). */
export type RawCommand = (...args: string[]) => Promise<unknown>;

/** A store that has connected, as the kit expects from `createStore`. */
export async function readyStore(options: RedisStoreOptions): Promise<RedisStore> {
  const store = new RedisStore(options);
  try {
    await store.ready(10_000);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Foreign keys expire by themselves, so a shared server is left clean without deleting by pattern. */
const FOREIGN_TTL_MS = '600000';

/** The kit's backend hooks, through a raw connection that bypasses the store. */
export function rawInspect(raw: () => RawCommand): ConformanceInspect<RedisStore> {
  return {
    corrupt: async (store, sid) => {
      await raw()('SET', store.prefix + sid, '{"cookie": tru', 'PX', FOREIGN_TTL_MS);
    },
    exists: async (store, sid) => Number(await raw()('EXISTS', store.prefix + sid)) === 1,
    ttl: async (store, sid) => {
      const ms = Number(await raw()('PTTL', store.prefix + sid));
      if (ms === -2) throw new Error(`no key for session ${sid}`);
      return ms === -1 ? null : ms;
    },
    writeForeign: async (_store, key) => {
      await raw()('SET', key, '{}', 'PX', FOREIGN_TTL_MS);
    },
    foreignExists: async (_store, key) => Number(await raw()('EXISTS', key)) === 1,
  };
}

/**
 * A connected client for the enclosing describe block, closed in its `afterAll`.
 * Call it in a describe block nested inside the one that starts the server: jest runs
 * `afterAll` hooks in declaration order, and the client must close before the server stops.
 */
export function useClient<C>(open: () => Promise<C>, close: (client: C) => Promise<void>): () => C {
  let client: C | undefined;
  beforeAll(async () => {
    client = await open();
  });
  afterAll(async () => {
    if (client !== undefined) await close(client);
    client = undefined;
  });
  return () => {
    if (client === undefined) throw new Error('the client is only available inside tests');
    return client;
  };
}

/** A connected node-redis client; errors are ignored (tests assert on the store, not the client). */
export async function openNodeRedis(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Closes a node-redis client, whatever state it is in. */
export async function closeNodeRedis(client: RedisClientType | RedisClusterType): Promise<void> {
  if (client.isOpen) await client.destroy();
}

/** A ready ioredis client; errors are ignored. */
export async function openIoRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, ...options });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Closes an ioredis client or cluster at once. */
export async function closeIoRedis(client: Redis | Cluster): Promise<void> {
  client.disconnect();
}

/** A connected node-redis cluster client; errors are ignored. */
export async function openNodeRedisCluster(urls: readonly string[]): Promise<RedisClusterType> {
  const cluster: RedisClusterType = createCluster({ rootNodes: urls.map((url) => ({ url })) });
  cluster.on('error', () => undefined);
  await cluster.connect();
  return cluster;
}

/** A ready ioredis cluster client; errors are ignored. */
export async function openIoRedisCluster(
  nodes: ReadonlyArray<{ host: string; port: number }>,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const cluster = new Cluster([...nodes], { lazyConnect: true, ...options });
  cluster.on('error', () => undefined);
  await cluster.connect();
  return cluster;
}

/**
 * Deletes the run's keys after the block, which matters on a shared `REDIS_URL` server.
 * jest runs `afterAll` hooks in declaration order, so a server started by the tests may
 * already be stopped (and its keys gone with it): then there is nothing to do.
 */
export function cleanUpPrefix(server: () => RespCommander, prefix: string): void {
  afterAll(async () => {
    let running: RespCommander;
    try {
      running = server();
    } catch {
      return;
    }
    await deleteByPrefix(running, prefix);
  });
}
