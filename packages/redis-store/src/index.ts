import { createStoreFactory } from '@session-stores/core';
import { RedisStore } from './redis-store';

export type {
  EmitterLike,
  IoRedisClusterLike,
  IoRedisLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisSentinelLike,
  RedisClientLike,
} from './client-types';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  type RedisConnectionOptions,
  type RedisStoreOptions,
} from './options';
export { RedisStore };

/**
 * The classic connect-redis ≤ 3 entry point: `require('@session-stores/redis-store')(session)`
 * returns {@link RedisStore} bound to the app's own express-session module.
 */
const redisStoreFactory = createStoreFactory(RedisStore);
export default redisStoreFactory;
