import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useCouchServer } from '@session-stores/test-servers';
import { PouchStore } from '../src';
import { inspectHooks } from './support/raw';

// Every store of a mode shares one database, so prefix isolation is tested for real.
runStoreConformance<PouchStore>({
  name: 'PouchStore in memory',
  storeClass: PouchStore,
  createStore: async ({ prefix, options }) => {
    const store = new PouchStore('conformance', { ...options, prefix });
    await store.ready();
    return store;
  },
  inspect: inspectHooks,
});

// Issue 18: the whole kit with touchMargin on, so every group runs with skipped touches.
runStoreConformance<PouchStore>({
  name: 'PouchStore in memory (touchMargin 0.1)',
  storeClass: PouchStore,
  createStore: async ({ prefix, options }) => {
    const store = new PouchStore('conformance-fast', { touchMargin: 0.1, ...options, prefix });
    await store.ready();
    return store;
  },
  inspect: inspectHooks,
});

describeWithBackend('couchdb', 'remote CouchDB API', () => {
  const couch = useCouchServer();
  const dbName = `conformance-${randomBytes(4).toString('hex')}`;
  runStoreConformance<PouchStore>({
    name: 'PouchStore over HTTP',
    storeClass: PouchStore,
    createStore: async ({ prefix, options }) => {
      const store = new PouchStore(`${couch().url}${dbName}`, { ...options, prefix });
      await store.ready();
      return store;
    },
    inspect: inspectHooks,
  });
});
