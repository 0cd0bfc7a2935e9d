// A plain express-session store (express-session's own MemoryStore), under node:test.
const session = require('express-session');
const { runStoreConformanceWithNodeTest } = require('@session-stores/core/conformance');

runStoreConformanceWithNodeTest({
  name: "express-session's MemoryStore",
  storeClass: session.MemoryStore,
  createStore: () => new session.MemoryStore(),
});
