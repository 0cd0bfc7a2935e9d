import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import type { RedisClientLike } from '@session-stores/redis-store/connection';
import {
  describeWithBackend,
  OLDER_REDIS_CLIENTS,
  useOlderRedisClient,
  useRedisGroup,
} from '@session-stores/test-servers';
import { ReplicatedStore } from '../src';
import { KIT_COMMAND_TIMEOUT_MS, rawInspect, readyStore } from './helpers';

// The full suite runs on the newest majors (this package's redis and ioredis); the older
// majors the peer ranges claim run the conformance kit together: one replica each.
describeWithBackend('redis', 'ReplicatedStore with the older client majors', () => {
  const servers = useRedisGroup(OLDER_REDIS_CLIENTS.length);

  describe(`one replica each: ${OLDER_REDIS_CLIENTS.map((older) => older.name).join(', ')}`, () => {
    const clients = OLDER_REDIS_CLIENTS.map((older, index) =>
      useOlderRedisClient(older, () => servers()[index]?.url as string),
    );
    runStoreConformance<ReplicatedStore>({
      name: 'ReplicatedStore (older client majors)',
      storeClass: ReplicatedStore,
      createStore: ({ prefix, options }) =>
        readyStore({
          commandTimeout: KIT_COMMAND_TIMEOUT_MS,
          ...options,
          prefix,
          clients: clients.map((client) => client() as RedisClientLike),
        }),
      inspect: rawInspect(servers),
    });
  });
});
