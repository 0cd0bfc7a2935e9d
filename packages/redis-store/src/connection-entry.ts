/**
 * The `./connection` entry: the Redis connection layer, shared with the other
 * Redis-backed packages of this project (expredis-replicated, alt-session-async). It is
 * not a stable public API: it may change in any minor release. Apps should use the
 * package's main export.
 */
export type { NodeSender } from './client-adapter';
export type { RedisClientLike } from './client-types';
export { MAX_KEYS_PER_COMMAND } from './command-limits';
export { classifyRedisError, isUnavailable, isWrongType } from './errors';
export { isJsonSerializer } from './json-serializer';
export { type LuaScript, luaScript, runScript, sha1Hex } from './lua';
export { checkRedisUrl, DEFAULT_COMMAND_TIMEOUT_MS, type RedisConnectionOptions } from './options';
export { connectionTarget, urlDatabase } from './own-client';
export { type OpenedClient, openClient, RedisConnection } from './redis-connection';
export { expiryFromPttl, replyNumber, replyText } from './reply';
export { rewriteStored } from './rewrite-stored';
export { scanKeys } from './scan';
export {
  COMPARE_AND_SET,
  INDEX_ONLY,
  INDEX_SESSION,
  ScriptReply,
  SET_INDEXED,
  SET_WITH_TTL,
  scriptTtl,
} from './scripts';
export {
  indexChange,
  indexScore,
  USER_INDEX_MARK,
  type UserIndexPlan,
  userIndexKey,
  userIndexPlan,
} from './user-index-plan';
