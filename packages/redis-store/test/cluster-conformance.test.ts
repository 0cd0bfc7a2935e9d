import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedisCluster, useStarted } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import {
  closeIoRedis,
  closeNodeRedis,
  openIoRedisCluster,
  openNodeRedisCluster,
  rawInspect,
  readyStore,
} from './helpers';

// A file of its own so that jest runs it in parallel with the single-server conformance.
describeWithBackend('redis-cluster', 'RedisStore on a three-master cluster', () => {
  const cluster = useRedisCluster();

  describe('clients', () => {
    // The kit's hooks go through a separate cluster-aware client, routed by key.
    const raw = useStarted('the client', () => openIoRedisCluster(cluster().nodes), closeIoRedis);
    const inspect = rawInspect(
      () =>
        (...args) =>
          raw().call(args[0] as string, ...args.slice(1)),
    );
    const nodeRedis = useStarted('the client', () => openNodeRedisCluster(cluster().urls), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedisCluster(cluster().nodes), closeIoRedis);

    runStoreConformance<RedisStore>({
      name: 'RedisStore (node-redis cluster)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: nodeRedis() }),
      inspect,
    });
    runStoreConformance<RedisStore>({
      name: 'RedisStore (ioredis cluster)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: ioredis() }),
      inspect,
    });
  });
});
