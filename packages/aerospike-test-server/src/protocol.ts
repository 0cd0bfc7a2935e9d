/**
 * Numeric constants of the AS_MSG protocol (names follow the server's
 * proto.h). Kept in one place so the codec, the transaction code and the
 * tests agree on them.
 */

/** info1: read flags. */
export const Info1 = {
  READ: 0x01,
  GET_ALL: 0x02,
  SHORT_QUERY: 0x04,
  BATCH: 0x08,
  XDR: 0x10,
  GET_NO_BINS: 0x20,
  READ_MODE_AP_ALL: 0x40,
  COMPRESS_RESPONSE: 0x80,
} as const;

/** info2: write flags. */
export const Info2 = {
  WRITE: 0x01,
  DELETE: 0x02,
  GENERATION: 0x04,
  GENERATION_GT: 0x08,
  DURABLE_DELETE: 0x10,
  CREATE_ONLY: 0x20,
  RELAX_AP_LONG_QUERY: 0x40,
  RESPOND_ALL_OPS: 0x80,
} as const;

/** info3: misc and reply flags. */
export const Info3 = {
  LAST: 0x01,
  COMMIT_LEVEL_MASTER: 0x02,
  PARTITION_DONE: 0x04,
  UPDATE_ONLY: 0x08,
  CREATE_OR_REPLACE: 0x10,
  REPLACE_ONLY: 0x20,
  SC_READ_TYPE: 0x40,
  SC_READ_RELAX: 0x80,
} as const;

/** Field types. */
export const FieldType = {
  NAMESPACE: 0,
  SET: 1,
  KEY: 2,
  RECORD_VERSION: 3,
  DIGEST_RIPE: 4,
  MRT_ID: 5,
  MRT_DEADLINE: 6,
  TRID: 7,
  SOCKET_TIMEOUT: 9,
  RECS_PER_SEC: 10,
  PID_ARRAY: 11,
  DIGEST_ARRAY: 12,
  SAMPLE_MAX: 13,
  LUT: 14,
  BVAL_ARRAY: 15,
  INDEX_NAME: 21,
  INDEX_RANGE: 22,
  INDEX_CONTEXT: 23,
  INDEX_EXPRESSION: 24,
  INDEX_TYPE: 26,
  UDF_FILENAME: 30,
  UDF_FUNCTION: 31,
  UDF_ARGLIST: 32,
  UDF_OP: 33,
  QUERY_BINLIST: 40,
  BATCH: 41,
  BATCH_WITH_SET: 42,
  PREDEXP: 43,
} as const;

/** Op types. */
export const OpType = {
  READ: 1,
  WRITE: 2,
  CDT_READ: 3,
  CDT_MODIFY: 4,
  INCR: 5,
  EXP_READ: 7,
  EXP_MODIFY: 8,
  APPEND: 9,
  PREPEND: 10,
  TOUCH: 11,
  BITS_READ: 12,
  BITS_MODIFY: 13,
  DELETE_ALL: 14,
  HLL_READ: 15,
  HLL_MODIFY: 16,
} as const;

/** Server result codes used by this server. */
export const ResultCode = {
  OK: 0,
  UNKNOWN: 1,
  NOT_FOUND: 2,
  GENERATION: 3,
  PARAMETER: 4,
  RECORD_EXISTS: 5,
  BIN_EXISTS: 6,
  UNAVAILABLE: 11,
  INCOMPATIBLE_TYPE: 12,
  RECORD_TOO_BIG: 13,
  UNSUPPORTED_FEATURE: 16,
  BIN_NOT_FOUND: 17,
  KEY_MISMATCH: 19,
  NAMESPACE: 20,
  BIN_NAME: 21,
  FORBIDDEN: 22,
  ENTERPRISE_ONLY: 25,
  SINDEX_FOUND: 200,
  SINDEX_NOT_FOUND: 201,
} as const;

/** Row flags inside a field-41 BATCH request. */
export const BatchRowFlag = {
  REPEAT: 0x01,
  INFO2_INFO3: 0x02,
  GENERATION: 0x04,
  RECORD_TTL: 0x08,
  INFO4: 0x10,
} as const;

/** Number of partitions of every namespace. */
export const N_PARTITIONS = 4096;

/** Request record_ttl meaning "never expire". */
export const TTL_NEVER_EXPIRE = 0xffffffff;
/** Request record_ttl meaning "leave the TTL as it is". */
export const TTL_DONT_UPDATE = 0xfffffffe;
/** Largest relative TTL the server accepts (10 years). */
export const MAX_ALLOWED_TTL = 10 * 365 * 24 * 3600;
/** Longest bin name, in bytes. */
export const BIN_NAME_MAX = 15;
/** Longest set name, in bytes. */
export const SET_NAME_MAX = 63;
