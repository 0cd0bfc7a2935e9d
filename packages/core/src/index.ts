export { bridgeCallback, type Callback, type CallbackErrorHandler, rethrowAsync } from './callback';
export { NO_CAPABILITIES, type OptionalMethod, type StoreCapabilities } from './capabilities';
export {
  createEncryptingSerializer,
  createValueCipher,
  ENCRYPTED_VALUE_PREFIX,
  type EncryptingSerializer,
  type EncryptingSerializerOptions,
  type EncryptionKey,
  UndecryptableValueError,
  type ValueCipher,
} from './encrypting-serializer';
export {
  BackendError,
  BackendMisconfiguredError,
  BackendUnavailableError,
  CorruptSessionError,
  ErrorCode,
  type ErrorCodeValue,
  InvalidArgumentError,
  InvalidOptionError,
  NotSupportedError,
  SerializeError,
  SessionStoreError,
  StoreClosedError,
  UserOfError,
  WriteConflictError,
} from './errors';
export { createStoreFactory, type ExpressSessionModule } from './factory';
export { MemoryDatabase, type MemoryEntry, MemoryStore, type MemoryStoreOptions } from './memory-store';
export {
  type DescribeValue,
  describeType,
  describeValue,
  isPlainObject,
  MAX_TIMER_DELAY_MS,
  optionalBoolean,
  optionalGroup,
  optionalInteger,
  optionalMilliseconds,
  optionalObject,
  optionalSeconds,
  optionalString,
  rejectUnknownKeys,
} from './option-checks';
export { type ConditionalWriteResult, MAX_SAVE_ATTEMPTS } from './overlap';
export { escapeGlob, MAX_PREFIX_LENGTH, validatePrefix } from './prefix';
export { type ReencryptOptions, type ReencryptReport, reencryptSessions } from './reencrypt-sessions';
export {
  decodeSession,
  encodeSession,
  jsonSerializer,
  type Serializer,
  validateSerializer,
} from './serializer';
export type { SessionData, SessionWithId } from './session-data';
export {
  BATCH_SIZE,
  SESSION_STORE_OPTION_NAMES,
  SessionStore,
  type SessionStoreOptions,
} from './session-store';
export {
  STORE_CHANNEL_PREFIX,
  STORE_OPERATIONS,
  type StoreChannel,
  type StoreIdentity,
  type StoreOperation,
  type StoreOperationContext,
  type StoreOperationSubscriber,
  storeChannel,
  subscribeStoreOperations,
  traceStoreOperation,
} from './store-channels';
export { MAX_TOUCH_MARGIN } from './touch-margin';
export {
  DEFAULT_TTL_SECONDS,
  type ResolvedTtl,
  resolveTtl,
  type TtlOption,
  type TtlSettings,
  validateTtlSettings,
  type WriteTtl,
} from './ttl';
export {
  checkUser,
  type DestroyAllOfOptions,
  escapeUserName,
  exceptIds,
  type UserIndexOptions,
  type UserLink,
  type UserOf,
  type UserSession,
} from './user-index';
