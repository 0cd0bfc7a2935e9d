import type { MemoryStore } from '../src';
import type { ConformanceInspect } from '../src/conformance';

/** Raw access to a MemoryStore's database, for the conformance kit. */
export const memoryInspect: ConformanceInspect<MemoryStore> = {
  corrupt: async (store, sid) => {
    store.database.entries.set(store.prefix + sid, { text: '{"cookie": tru', expiresAt: null, version: 0 });
  },
  exists: async (store, sid) => store.database.entries.has(store.prefix + sid),
  ttl: async (store, sid) => {
    const entry = store.database.entries.get(store.prefix + sid);
    if (!entry) throw new Error(`no entry for ${sid}`);
    return entry.expiresAt === null ? null : entry.expiresAt - Date.now();
  },
  writeForeign: async (store, key) => {
    store.database.entries.set(key, { text: '{}', expiresAt: null, version: 0 });
  },
  foreignExists: async (store, key) => store.database.entries.has(key),
  dropConnection: async (store) => {
    // A MemoryStore has no connection: flip the base class's reachability as a backend's client would.
    const reachable = (store as unknown as { setConnected(connected: boolean): void }).setConnected.bind(
      store,
    );
    reachable(false);
    setImmediate(() => reachable(true));
  },
};
