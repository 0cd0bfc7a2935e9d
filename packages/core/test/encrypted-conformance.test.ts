import { randomBytes } from 'node:crypto';
import { createEncryptingSerializer, MemoryDatabase, MemoryStore } from '../src';
import { runStoreConformance } from '../src/conformance';
import { memoryInspect } from './memory-inspect';

// The whole contract again, with every session encrypted at rest.
const database = new MemoryDatabase();
const serializer = createEncryptingSerializer({ keys: [{ id: 'kit', key: randomBytes(32) }] });

runStoreConformance<MemoryStore>({
  name: 'MemoryStore with the encrypting serializer',
  storeClass: MemoryStore,
  createStore: ({ prefix, options }) =>
    new MemoryStore({ ...options, prefix, database, serializer, sweepIntervalMs: 200 }),
  inspect: memoryInspect,
});
