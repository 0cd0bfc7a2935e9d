import { BATCH_SIZE } from '@session-stores/core';
import type { AllDocsResult, BulkDocsResult, PouchDatabase } from './database';
import { SESSION_TYPE } from './document';

/** The design document and index name of the expiry index. */
export const EXPIRY_INDEX = { ddoc: 'session-stores-expiry', name: 'by-expiry' } as const;

/** Escapes a string for a regular expression (JavaScript and CouchDB's PCRE alike). */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Deletes expired session documents of one store. With pouchdb-find (the store's own
 * databases always have it) it queries a mango index on `[type, expiresAt]`, created
 * once, so a run reads only the expired documents, in batches. A user-supplied
 * database without `find` falls back to scanning the store's id range.
 */
export class ExpiryPurge {
  private indexReady: Promise<void> | undefined;
  private running: Promise<number> | undefined;

  /**
   * @param db the database.
   * @param idPrefix the document-id prefix of the store's sessions ('' for all).
   * @param onDeleted called with the documents deleted (their id and deletion revision).
   */
  constructor(
    private readonly db: PouchDatabase,
    private readonly idPrefix: string,
    private readonly onDeleted: (deleted: ReadonlyArray<{ id: string; rev: string }>) => void,
  ) {}

  /** Whether the database can use the index (it has pouchdb-find). */
  get indexed(): boolean {
    return typeof this.db.find === 'function' && typeof this.db.createIndex === 'function';
  }

  /** Creates the expiry index if needed; a failure is retried by the next call. */
  prepare(): Promise<void> {
    if (!this.indexed) return Promise.resolve();
    this.indexReady ??= (async () => {
      await this.db.createIndex?.({
        index: { fields: ['type', 'expiresAt'], ddoc: EXPIRY_INDEX.ddoc, name: EXPIRY_INDEX.name },
      });
    })().catch((err: unknown) => {
      this.indexReady = undefined;
      throw err;
    });
    return this.indexReady;
  }

  /** Deletes every session document expired at `now`; resolves with how many. Runs one at a time. */
  run(now = Date.now()): Promise<number> {
    this.running ??= (this.indexed ? this.purgeWithIndex(now) : this.purgeByScan(now)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purgeWithIndex(now: number): Promise<number> {
    await this.prepare();
    const selector: Record<string, unknown> = {
      type: SESSION_TYPE,
      // $gte 0 matters: in CouchDB collation null sorts before numbers, so a bare $lte
      // would also match sessions that never expire (expiresAt: null).
      expiresAt: { $gte: 0, $lte: now },
    };
    // Other stores may share the database under other prefixes: only this store's ids.
    if (this.idPrefix) selector._id = { $regex: `^${escapeRegex(this.idPrefix)}` };
    let deleted = 0;
    for (;;) {
      const found = (await this.db.find?.({
        selector,
        fields: ['_id', '_rev'],
        limit: BATCH_SIZE,
        use_index: [EXPIRY_INDEX.ddoc, EXPIRY_INDEX.name],
      })) as { docs: Array<{ _id: string; _rev: string }> };
      const removed = await this.remove(found.docs);
      deleted += removed;
      // A batch where nothing could be deleted (all rewritten meanwhile) ends the run instead of looping.
      if (found.docs.length < BATCH_SIZE || removed === 0) return deleted;
    }
  }

  private async purgeByScan(now: number): Promise<number> {
    let deleted = 0;
    let startkey: string | undefined = this.idPrefix || undefined;
    let after: string | undefined;
    for (;;) {
      const page = (await this.db.allDocs({
        ...(startkey === undefined ? {} : { startkey }),
        limit: BATCH_SIZE,
        include_docs: true,
      })) as AllDocsResult;
      const expired: Array<{ _id: string; _rev: string }> = [];
      let done = page.rows.length < BATCH_SIZE;
      for (const row of page.rows) {
        if (row.id === after) continue;
        if (!row.id.startsWith(this.idPrefix)) {
          done = true;
          break;
        }
        const doc = row.doc;
        if (doc?.type === SESSION_TYPE && typeof doc.expiresAt === 'number' && doc.expiresAt <= now) {
          expired.push({ _id: row.id, _rev: String(doc._rev) });
        }
      }
      deleted += await this.remove(expired);
      const last = page.rows[page.rows.length - 1];
      if (done || !last) return deleted;
      // Inclusive startkey without skip: rows deleted meanwhile (clear does) would shift a skip.
      startkey = last.id;
      after = last.id;
    }
  }

  /** Deletes documents at the given revisions; one rewritten meanwhile (409) is left alone. */
  async remove(docs: ReadonlyArray<{ _id: string; _rev: string }>): Promise<number> {
    if (docs.length === 0) return 0;
    const results = (await this.db.bulkDocs(
      docs.map((doc) => ({ _id: doc._id, _rev: doc._rev, _deleted: true })),
    )) as BulkDocsResult[];
    const deleted = results.flatMap((result) =>
      result.ok && result.id && result.rev ? [{ id: result.id, rev: result.rev }] : [],
    );
    this.onDeleted(deleted);
    return deleted.length;
  }
}
