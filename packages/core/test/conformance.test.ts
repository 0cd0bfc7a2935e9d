import { MemoryDatabase, MemoryStore } from '../src';
import { runStoreConformance } from '../src/conformance';
import { memoryInspect } from './memory-inspect';

// One shared database, so prefix isolation is tested for real.
const database = new MemoryDatabase();

runStoreConformance<MemoryStore>({
  name: 'MemoryStore',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) =>
    new MemoryStore({ ...options, prefix, database, sweepIntervalMs: 200 }),
  inspect: memoryInspect,
});
