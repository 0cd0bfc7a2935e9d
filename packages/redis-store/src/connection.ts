/**
 * The Redis connection layer, shared with the other Redis-backed packages of this
 * project (expredis-replicated, alt-session-async). It is not a stable public API:
 * it may change in any minor release. Apps should use the package's main export.
 */
export {
  adaptClient,
  type ConnectionListeners,
  type NodeSender,
  type RedisConnection,
} from './client-adapter';
export type { RedisClientLike } from './client-types';
export { CommandGate, type GateOptions } from './command-gate';
export { classifyRedisError, isNoScript, isUnavailable, isWrongType } from './errors';
export { groupBySlot, hashSlot } from './hash-slot';
export { type LuaScript, luaScript, runScript, sha1Hex } from './lua';
export { checkRedisUrl, DEFAULT_COMMAND_TIMEOUT_MS, type RedisConnectionOptions } from './options';
export { connectionTarget, createOwnClient, type OwnClient } from './own-client';
export { replyNumber, replyText } from './reply';
export { scanKeys } from './scan';
