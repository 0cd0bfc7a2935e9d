import { createStoreFactory } from '@session-stores/core';
import { ReplicatedStore } from './replicated-store';

export {
  DEFAULT_HEDGE_DELAY_MS,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  type ReadPolicy,
  type ReplicaClientOption,
  type ReplicaConnectionConfig,
  type ReplicatedStoreOptions,
  type WriteQuorumOption,
} from './options';
export { ReplicatedStore };
export type { ReplicaErrorDetails } from './replicated-store';

/**
 * The expredis entry point: `require('@session-stores/expredis-replicated')(session)`
 * returns {@link ReplicatedStore} bound to the app's own express-session module.
 */
const replicatedStoreFactory = createStoreFactory(ReplicatedStore);
export default replicatedStoreFactory;
