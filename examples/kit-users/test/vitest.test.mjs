import { MemoryStore } from '@session-stores/core';
import { runStoreConformanceWithVitest } from '@session-stores/core/conformance';
import * as vitest from 'vitest';

runStoreConformanceWithVitest(vitest, {
  name: 'MemoryStore under vitest',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
});
