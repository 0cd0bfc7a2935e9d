const { MemoryStore } = require('@session-stores/core');
const { runStoreConformance } = require('@session-stores/core/conformance');

runStoreConformance({
  name: 'MemoryStore under jest',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
});
