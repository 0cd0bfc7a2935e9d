import { randomUUID } from 'node:crypto';
import httpAdapter from 'pouchdb-adapter-http';
import memoryAdapter from 'pouchdb-adapter-memory';
import PouchDBCore from 'pouchdb-core';
import findPlugin from 'pouchdb-find';
import type { PouchConstructorOptions, PouchDatabase } from './database';
import { feedAwareFetch } from './feed-agent';
import type { DatabaseSource } from './options';

/** PouchDB with the adapters and the plugin the store needs: memory, http and find. */
const PouchDB = PouchDBCore.plugin(memoryAdapter).plugin(httpAdapter).plugin(findPlugin);

/** A database the store uses, and how to let go of it at `close()`. */
export interface OpenedDatabase {
  readonly db: PouchDatabase;
  /** Closes (or frees) what the store created; leaves a user's instance alone. */
  release(): Promise<void>;
}

type PouchInstance = InstanceType<typeof PouchDB>;

interface SharedMemory {
  readonly db: PouchInstance;
  users: number;
}

// PouchDB's leveldb layer shares one underlying store per name and closes it for every
// instance when one instance closes. Stores naming the same in-memory database therefore
// share one instance, closed when the last of them is closed. The data survive the close
// (memdown keeps it per name) until the process ends, like a database file would.
const sharedMemory = new Map<string, SharedMemory>();

function openNamedMemory(name: string, pouchOptions: PouchConstructorOptions): OpenedDatabase {
  let shared = sharedMemory.get(name);
  if (!shared) {
    shared = { db: new PouchDB(name, { ...pouchOptions, adapter: 'memory' }), users: 0 };
    sharedMemory.set(name, shared);
  }
  shared.users += 1;
  const entry = shared;
  let released = false;
  return {
    db: entry.db,
    async release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      sharedMemory.delete(name);
      await entry.db.close();
    },
  };
}

/** Opens (or adopts) the database a store uses. */
export function openDatabase(
  source: DatabaseSource,
  pouchOptions: PouchConstructorOptions = {},
): OpenedDatabase {
  switch (source.kind) {
    case 'instance':
      return { db: source.db, release: async () => {} };
    case 'named-memory':
      return openNamedMemory(source.name, pouchOptions);
    case 'private-memory': {
      // A unique name makes the database private; destroy() frees its memory at close.
      const db = new PouchDB(`pouch-store-${randomUUID()}`, { ...pouchOptions, adapter: 'memory' });
      return { db, release: () => db.destroy().then(() => undefined) };
    }
    case 'remote': {
      const base = pouchOptions.fetch ?? ((url: string, init?: object) => PouchDB.fetch(url, init));
      const db = new PouchDB(source.url, {
        ...pouchOptions,
        adapter: 'http',
        fetch: feedAwareFetch(base),
      });
      return { db, release: () => db.close() };
    }
  }
}
