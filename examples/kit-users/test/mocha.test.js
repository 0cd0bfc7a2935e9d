const { MemoryDatabase, MemoryStore } = require('@session-stores/core');
const { runStoreConformanceWithMocha } = require('@session-stores/core/conformance');

// One database for every store, as one server: stores given the same prefix see the same sessions.
const database = new MemoryDatabase();

runStoreConformanceWithMocha({
  name: 'MemoryStore under mocha',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix, database }),
});
