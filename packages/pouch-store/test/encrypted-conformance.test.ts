import { randomBytes } from 'node:crypto';
import { createEncryptingSerializer } from '@session-stores/core';
import { runStoreConformance } from '@session-stores/core/conformance';
import { PouchStore } from '../src';
import { inspectHooks } from './support/raw';

const serializer = createEncryptingSerializer({ keys: [{ id: 'kit', key: randomBytes(32) }] });

// The whole contract again with sessions encrypted at rest (the document's `data` is the
// ciphertext; its expiry stays in clear for the purge). In memory: the HTTP mode stores the
// same documents.
runStoreConformance<PouchStore>({
  name: 'PouchStore in memory (encrypted)',
  storeClass: PouchStore,
  createStore: async ({ prefix, options }) => {
    const store = new PouchStore('conformance-encrypted', { ...options, prefix, serializer });
    await store.ready();
    return store;
  },
  inspect: inspectHooks,
});
