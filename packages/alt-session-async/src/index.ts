import { altSession } from './alt-session';

export { ErrorCode } from '@session-stores/core';
export type { RedisClientLike } from '@session-stores/redis-store/connection';
export { type AltSessionMiddleware, altSession } from './alt-session';
export type { AsyncSession } from './async-session';
export { type BridgeOptions, bridge } from './bridge';
export type {
  AltSessionOptions,
  CookieOptions,
  EncryptionOptions,
  RedisServerOptions,
  SessionOptions,
} from './options';
export type { AltSessionHandler, AltSessionRequest } from './session-handler';
export {
  createTestSession,
  type MockMiddleware,
  type MockOptions,
  mock,
  type TestSession,
  type TestSessionOptions,
} from './test-double';
export { UserKeyError, type UserSessionEntry, type UserSessionsApi } from './user-sessions';

/**
 * The classic factory, as alt-session's: `app.use(require('@session-stores/alt-session-async')(options))`.
 * It also carries `.bridge`, `.mock` and every named export.
 */
export default altSession;
