const { MemoryDatabase, MemoryStore } = require('@session-stores/core');
const { runStoreConformance } = require('@session-stores/core/conformance');

// One database for every store, as one server: stores given the same prefix see the same sessions.
const database = new MemoryDatabase();

runStoreConformance({
  name: 'MemoryStore under jest',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix, database }),
});
