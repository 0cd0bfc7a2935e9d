import { MemoryDatabase, MemoryStore } from '@session-stores/core';
import { runStoreConformanceWithVitest } from '@session-stores/core/conformance';
import * as vitest from 'vitest';

// One database for every store, as one server: stores given the same prefix see the same sessions.
const database = new MemoryDatabase();

runStoreConformanceWithVitest(vitest, {
  name: 'MemoryStore under vitest',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix, database }),
});
