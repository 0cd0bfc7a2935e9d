import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import {
  closeIoRedis,
  closeNodeRedis,
  openIoRedis,
  openNodeRedis,
  readyStore,
  serverInspect,
} from './helpers';

describeWithBackend('redis', 'RedisStore on one server', () => {
  const redis = useRedis();
  const inspect = serverInspect(redis);

  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedis(redis().url), closeIoRedis);

    runStoreConformance<RedisStore>({
      name: 'RedisStore (node-redis client)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: nodeRedis() }),
      inspect,
    });
    runStoreConformance<RedisStore>({
      name: 'RedisStore (ioredis client)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: ioredis() }),
      inspect,
    });
    runStoreConformance<RedisStore>({
      name: 'RedisStore (own client from url)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, url: redis().url }),
      inspect,
    });
  });
});
