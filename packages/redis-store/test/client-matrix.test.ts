import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import {
  describeWithBackend,
  OLDER_REDIS_CLIENTS,
  useOlderRedisClient,
  useRedis,
} from '@session-stores/test-servers';
import { type RedisClientLike, RedisStore } from '../src';
import { readyStore, serverInspect } from './helpers';

// The full suite runs on the newest majors (this package's redis and ioredis); the older
// majors the peer ranges claim run the conformance kit, in a file of its own so that jest
// runs it beside the others.
describeWithBackend('redis', 'RedisStore with the older client majors', () => {
  const redis = useRedis();
  const inspect = serverInspect(redis);

  describe.each(OLDER_REDIS_CLIENTS)('$name', (older) => {
    const client = useOlderRedisClient(older, () => redis().url);
    runStoreConformance<RedisStore>({
      name: `RedisStore (${older.name})`,
      storeClass: RedisStore,
      createStore: ({ prefix, options }) =>
        readyStore({ ...options, prefix, client: client() as RedisClientLike }),
      inspect,
    });
  });
});
