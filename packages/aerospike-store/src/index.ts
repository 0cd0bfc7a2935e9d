import { createStoreFactory } from '@session-stores/core';
import { AerospikeStore } from './aerospike-store';

export { AerospikeStore, MAX_TTL_SECONDS, TRUNCATE_WAIT_MS } from './aerospike-store';
export { DEFAULT_TIMEOUTS } from './client-policies';
export {
  type AerospikeOwnOptions,
  type AerospikeStoreOptions,
  DEFAULT_NAMESPACE,
  DEFAULT_SET,
} from './options';
export {
  COOKIE_BIN,
  MAX_BIN_NAME_BYTES,
  type RecordMapper,
  SESSION_BIN,
  type SessionBins,
} from './record-mapper';

/**
 * The classic factory: `require('@session-stores/aerospike-store')(session)` returns
 * {@link AerospikeStore} bound to your express-session module, as
 * `require('aerospike-session-store')(session)` did.
 */
const aerospikeStoreFactory = createStoreFactory(AerospikeStore);
export default aerospikeStoreFactory;
