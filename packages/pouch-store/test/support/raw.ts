import type { ConformanceInspect } from '@session-stores/core/conformance';
import type { PouchStore } from '../../src';

type Doc = Record<string, unknown>;

/** Reads a document behind the store's back; `undefined` when missing or deleted. */
export async function rawGet(store: PouchStore, docId: string): Promise<Doc | undefined> {
  try {
    return (await store.db.get(docId)) as Doc;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/** Writes a document behind the store's back, over whatever revision is there. */
export async function rawPut(store: PouchStore, doc: Doc & { _id: string }): Promise<string> {
  const current = await rawGet(store, doc._id);
  const result = (await store.db.put(current ? { ...doc, _rev: current._rev } : doc)) as { rev: string };
  return result.rev;
}

/** The conformance kit's view of the database: a record is live while its expiresAt is in the future (or null). */
export const inspectHooks: ConformanceInspect<PouchStore> = {
  async corrupt(store, sid) {
    await rawPut(store, {
      _id: store.documentId(sid),
      type: 'session',
      data: '{"cookie": tru',
      expiresAt: null,
    });
  },
  async exists(store, sid) {
    const doc = await rawGet(store, store.documentId(sid));
    if (!doc || doc.type !== 'session') return false;
    return doc.expiresAt === null || (typeof doc.expiresAt === 'number' && doc.expiresAt > Date.now());
  },
  async ttl(store, sid) {
    const doc = await rawGet(store, store.documentId(sid));
    if (!doc) throw new Error(`no document for ${sid}`);
    return doc.expiresAt === null ? null : (doc.expiresAt as number) - Date.now();
  },
  async writeForeign(store, key) {
    await rawPut(store, { _id: key, kind: 'not a session', note: 'written by the test, not by the store' });
  },
  async foreignExists(store, key) {
    return (await rawGet(store, key)) !== undefined;
  },
  async indexedIds(store, user) {
    // What the user index holds: every session document with that user, expired ones too.
    const found = (await store.db.find?.({ selector: { type: 'session', user }, fields: ['_id'] })) as {
      docs: Array<{ _id: string }>;
    };
    const prefix = store.documentId('');
    return found.docs.filter((doc) => doc._id.startsWith(prefix)).map((doc) => doc._id.slice(prefix.length));
  },
};
