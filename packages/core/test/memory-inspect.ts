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
  indexedIds: async (store, user) => {
    const indexKey = (store as unknown as { indexKey(user: string): string }).indexKey(user);
    return store.database.indexed(indexKey).map((key) => key.slice(store.prefix.length));
  },
  dropConnection: async (store) => {
    // A MemoryStore has no connection: flip the base class's reachability as a backend's client would.
    const reachable = (store as unknown as { setConnected(connected: boolean): void }).setConnected.bind(
      store,
    );
    reachable(false);
    setImmediate(() => reachable(true));
  },
};
