const { MemoryStore } = require('@session-stores/core');
const { runStoreConformanceWithMocha } = require('@session-stores/core/conformance');

runStoreConformanceWithMocha({
  name: 'MemoryStore under mocha',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
});
