const { MemoryStore } = require('@session-stores/core');
const { runStoreConformanceWithNodeTest } = require('@session-stores/core/conformance');

runStoreConformanceWithNodeTest({
  name: 'MemoryStore under node:test',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
});
