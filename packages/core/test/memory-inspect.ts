import type { MemoryStore } from '../src';
import type { ConformanceInspect } from '../src/conformance';

/** Raw access to a MemoryStore's database, for the conformance kit. */
export const memoryInspect: ConformanceInspect<MemoryStore> = {
  corrupt: async (store, sid) => {
    store.database.write(store.prefix + sid, { text: '{"cookie": tru', expiresAt: null });
  },
  exists: async (store, sid) => store.database.peek(store.prefix + sid) !== undefined,
  ttl: async (store, sid) => {
    const entry = store.database.peek(store.prefix + sid);
    if (!entry) throw new Error(`no entry for ${sid}`);
    return entry.expiresAt === null ? null : entry.expiresAt - Date.now();
  },
  writeForeign: async (store, key) => {
    store.database.write(key, { text: '{}', expiresAt: null });
  },
  foreignExists: async (store, key) => store.database.peek(key) !== undefined,
};
