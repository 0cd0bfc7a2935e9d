import type { ConformanceInspect } from '@session-stores/core/conformance';
import { whenReady } from '@session-stores/test-servers';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { RedisStore, type RedisStoreOptions } from '../src';
import { userIndexKey } from '../src/user-index-plan';

/** Sends one raw command to the server holding the key (a cluster-aware client for a cluster). */
export type RawCommand = (...args: string[]) => Promise<unknown>;

/**
 * The commandTimeout of test stores that set none. Bulk cases (the kit's 1,000 parallel
 * set+get, 300 sessions over a cluster) met the 2000 ms default on two cores beside CPU
 * hogs; the timeout itself has tests of their own, which set it.
 */
export const BUSY_MACHINE_TIMEOUT_MS = 10_000;

/** A store that has connected, as the kit expects from `createStore`. */
export function readyStore(options: RedisStoreOptions): Promise<RedisStore> {
  return whenReady(new RedisStore({ commandTimeout: BUSY_MACHINE_TIMEOUT_MS, ...options }));
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
    indexedIds: async (store, user) => {
      const reply = await raw()('ZRANGE', userIndexKey(store.prefix, user), '0', '-1');
      return (reply as unknown[]).map(String);
    },
  };
}

/**
 * The kit's hooks on one server, through its raw connection; `dropConnection` has the
 * server close the store's connection, as in an outage (the client reconnects by itself).
 */
export function serverInspect(
  server: () => { command(...args: string[]): Promise<unknown> },
): ConformanceInspect<RedisStore> {
  return {
    ...rawInspect(
      () =>
        (...args) =>
          server().command(...args),
    ),
    dropConnection: async (store: RedisStore) => {
      const client = store.client as unknown as {
        call?: (...args: string[]) => Promise<unknown>;
        sendCommand?: (args: string[]) => Promise<unknown>;
      };
      const id = client.call
        ? await client.call('CLIENT', 'ID')
        : await client.sendCommand?.(['CLIENT', 'ID']);
      await server().command('CLIENT', 'KILL', 'ID', String(id));
    },
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

/** Resolves with the store once its client cache serves (its tracking connection is up). */
export async function untilCacheLive(store: RedisStore, timeoutMs = 10_000): Promise<RedisStore> {
  const deadline = Date.now() + timeoutMs;
  while (!store.clientCacheLive) {
    if (Date.now() > deadline) throw new Error('the client cache did not go live');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return store;
}
