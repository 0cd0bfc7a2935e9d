import { BATCH_SIZE } from '@session-stores/core';
import type { PouchDatabase } from './database';
import { SESSION_TYPE } from './document';

/** The design document and index name of the user index. */
export const USER_INDEX = { ddoc: 'session-stores-user', name: 'by-user' } as const;

/**
 * Finds a user's session documents through a mango index on `[type, user]` (the `user`
 * field the store writes with the `userOf` option), created once. The index is CouchDB's
 * own, kept from the documents themselves: a deleted document leaves it, a re-assigned one
 * moves with its `user` field, so there is no separate index to keep in step.
 */
export class UserLookup {
  private indexReady: Promise<void> | undefined;

  /** @param db a database with pouchdb-find (`find` and `createIndex`). */
  constructor(private readonly db: PouchDatabase) {}

  /** Whether the database can answer (it has pouchdb-find). */
  static supports(db: PouchDatabase): boolean {
    return typeof db.find === 'function' && typeof db.createIndex === 'function';
  }

  /** Creates the index if needed; a failure is retried by the next call. */
  prepare(): Promise<void> {
    this.indexReady ??= (async () => {
      await this.db.createIndex?.({
        index: { fields: ['type', 'user'], ddoc: USER_INDEX.ddoc, name: USER_INDEX.name },
      });
    })().catch((err: unknown) => {
      this.indexReady = undefined;
      throw err;
    });
    return this.indexReady;
  }

  /** The ids and revisions of `user`'s session documents (of every prefix), expired ones included. */
  async documentsOf(user: string): Promise<Array<{ _id: string; _rev: string; expiresAt: unknown }>> {
    await this.prepare();
    const found: Array<{ _id: string; _rev: string; expiresAt: unknown }> = [];
    for (let skip = 0; ; skip += BATCH_SIZE) {
      const page = (await this.db.find?.({
        selector: { type: SESSION_TYPE, user },
        fields: ['_id', '_rev', 'expiresAt'],
        limit: BATCH_SIZE,
        skip,
        use_index: [USER_INDEX.ddoc, USER_INDEX.name],
      })) as { docs: Array<{ _id: string; _rev: string; expiresAt: unknown }> };
      found.push(...page.docs);
      if (page.docs.length < BATCH_SIZE) return found;
    }
  }
}
