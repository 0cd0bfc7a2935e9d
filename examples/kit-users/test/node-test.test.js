const { MemoryDatabase, MemoryStore } = require('@session-stores/core');
const { runStoreConformanceWithNodeTest } = require('@session-stores/core/conformance');

// One database for every store, as one server: stores given the same prefix see the same sessions.
const database = new MemoryDatabase();

runStoreConformanceWithNodeTest({
  name: 'MemoryStore under node:test',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix, database }),
});
