export {
  type Availability,
  availability,
  BACKENDS,
  type Backend,
  isRequired,
  OTHER_REQUIREMENTS,
  requiredBackends,
} from './availability';
export { type BuiltPackage, testBuiltStoreEntryPoints, useBuiltPackage } from './built-package';
export { type CouchServer, type StartCouchServerOptions, startCouchServer } from './couch-server';
export { type DelayProxy, startDelayProxy } from './delay-proxy';
export { deleteByPrefix, type RespCommander } from './delete-by-prefix';
export { findExecutable } from './find-executable';
export { freePort } from './free-port';
export { missingBinaryMessage } from './install-hints';
export {
  type CleanUpOptions,
  cleanUpPrefix,
  describeWithBackend,
  type Started,
  useCouchServer,
  useRedis,
  useRedisCluster,
  useRedisGroup,
  useRedisSentinel,
  useStarted,
} from './jest-helpers';
export { OLDER_REDIS_CLIENTS, type OlderRedisClient, useOlderRedisClient } from './redis-client-matrix';
export { type RedisCluster, type StartRedisClusterOptions, startRedisCluster } from './redis-cluster';
export {
  type RedisSentinelSetup,
  type StartRedisSentinelOptions,
  sentinelCommand,
  startRedisSentinel,
} from './redis-sentinel';
export {
  type RedisGroup,
  type RedisServer,
  type StartRedisOptions,
  startRedis,
  startRedisGroup,
} from './redis-server';
export { parseRedisUrl, parseRedisUrlList, type RedisEndpoint } from './redis-url';
export {
  pairsToRecord,
  parseInfo,
  type RespCommandOptions,
  RespError,
  type RespReply,
  type RespTarget,
  respCommand,
  respPipeline,
} from './resp';
export { type TimedFailure, timedFailure } from './timed-failure';
export { uniquePrefix } from './unique-prefix';
export { retried, sleep, type WaitUntilOptions, waitUntil } from './wait-until';
export { type ReadyableStore, whenReady } from './when-ready';
