import { createStoreFactory } from '@session-stores/core';
import { PouchStore } from './pouch-store';

export type {
  FeedChange,
  PouchChangesFeed,
  PouchChangesOptions,
  PouchConstructorOptions,
  PouchDatabase,
} from './database';
export { SESSION_TYPE, type SessionDocument } from './document';
export { EXPIRY_INDEX } from './expiry-purge';
export { DEFAULT_PREFIX, type Intervals, POUCH_DEFAULTS, type PouchStoreOptions } from './options';
export { PouchStore } from './pouch-store';

/**
 * The classic factory: `require('@session-stores/pouch-store')(session)` returns
 * {@link PouchStore} bound to your express-session module. Called with no argument it
 * returns the class as it is.
 */
const pouchStoreFactory = createStoreFactory(PouchStore);
export default pouchStoreFactory;
