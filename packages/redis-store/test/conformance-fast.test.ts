import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import {
  closeIoRedis,
  closeNodeRedis,
  openIoRedis,
  openNodeRedis,
  rawInspect,
  readyStore,
  untilCacheLive,
} from './helpers';

// Issue 18: the whole kit (the overlapping-requests group included) with every speed means on:
// skipped touches (touchMargin) and the client cache kept right by Redis client tracking (node-redis),
// touchMargin with ioredis sent past its auto-pipelining.
describeWithBackend('redis', 'RedisStore with touchMargin and clientCache', () => {
  const redis = useRedis();
  const inspect = rawInspect(
    () =>
      (...args) =>
        redis().command(...args),
  );
  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    runStoreConformance<RedisStore>({
      name: 'RedisStore (node-redis client, touchMargin 0.1, clientCache)',
      storeClass: RedisStore,
      createStore: async ({ prefix, options }) =>
        untilCacheLive(
          await readyStore({ touchMargin: 0.1, clientCache: true, ...options, prefix, client: nodeRedis() }),
        ),
      inspect,
    });
    // ioredis has no client cache here; its commands go past auto-pipelining (sent directly).
    const ioredis = useStarted(
      'the ioredis client',
      () => openIoRedis(redis().url, { enableAutoPipelining: true }),
      closeIoRedis,
    );
    runStoreConformance<RedisStore>({
      name: 'RedisStore (ioredis client with auto-pipelining, touchMargin 0.1)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) =>
        readyStore({ touchMargin: 0.1, ...options, prefix, client: ioredis() }),
      inspect,
    });
  });
});
