import {
  BATCH_SIZE,
  BackendError,
  type ConditionalWriteResult,
  InvalidOptionError,
  type SessionData,
  SessionStore,
  type SessionStoreError,
  type StoreCapabilities,
  type UserLink,
  type WriteTtl,
} from '@session-stores/core';
import { ChangesFollower } from './changes-follower';
import type { AllDocsResult, BulkDocsResult, FeedChange, PouchDatabase } from './database';
import {
  decodeDocId,
  encodeDocId,
  isExpired,
  isListedSession,
  type LoadedDocument,
  loadDocument,
  type StoredSession,
  sessionDocument,
} from './document';
import { ExpiryPurge } from './expiry-purge';
import { KeyedQueue } from './keyed-queue';
import { type OpenedDatabase, openDatabase } from './open-database';
import {
  DEFAULT_PREFIX,
  type Intervals,
  type PouchStoreOptions,
  resolveArguments,
  resolveIntervals,
  resolveSource,
} from './options';
import { classifyPouchError, isConflict, isNotFound } from './pouch-errors';
import { SessionCache } from './session-cache';
import { UserLookup } from './user-lookup';

/** How many times a write is attempted when other writers keep changing the document. */
const MAX_WRITE_ATTEMPTS = 10;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An express-session store on PouchDB: an in-memory database by default, or a remote
 * CouchDB (or PouchDB server) shared by several processes.
 *
 * - Writes are acknowledged once stored (write-through); a 409 conflict is retried with
 *   the current revision; writes to one session from one process are queued.
 * - Sessions are stored encoded in a `data` field of `{ type: 'session' }` documents, so
 *   no PouchDB field reaches `req.session`, any session id works (a leading `_` is
 *   escaped), and `clear()` leaves other documents alone.
 * - `get` never returns an expired session; `purge` deletes expired documents through a
 *   mango index on the expiry time.
 * - An in-process cache of recently used sessions, kept right across processes by the
 *   database's changes feed, spares remote reads.
 * - `close()` stops every timer and the feed.
 *
 * @example
 * const store = new PouchStore();                                  // in memory
 * const shared = new PouchStore('http://couch:5984/sessions');     // remote, synced
 */
export class PouchStore extends SessionStore {
  /**
   * `replicationLagMs` is the bound on how long another process may still read a
   * session from its cache after a change (the changes feed's latency, measured well
   * under it on a local network); within one store every change is visible at once.
   */
  static override readonly backend = 'pouchdb';
  static override readonly capabilities: StoreCapabilities = {
    methods: { touch: true, all: true, length: true, clear: true, ids: true },
    ttlGranularityMs: 1,
    expiresOnServer: true,
    prefixIsolation: true,
    events: { connect: true, disconnect: true },
    replicationLagMs: 500,
    conditionalWrites: true,
    userSessions: true,
  };

  /** The database holding the sessions (the store's own, or the instance it was given). */
  readonly db: PouchDatabase;
  /** The validated `maxIdle`, `scavenge` and `purge` intervals, in ms. */
  readonly intervals: Intervals;

  private readonly opened: OpenedDatabase;
  /** The document-id prefix of this store's sessions. */
  private readonly idPrefix: string;
  private readonly cache: SessionCache;
  private readonly writes = new KeyedQueue();
  private readonly background = new Set<Promise<unknown>>();
  private readonly follower: ChangesFollower;
  private readonly purger: ExpiryPurge;
  /** The user index (a mango index on the documents' `user` field), with the `userOf` option. */
  private readonly users: UserLookup | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private everLive = false;

  /**
   * @param database an `http(s)://` URL, a name (an in-memory database shared by that
   *   name in this process), a PouchDB instance, or the options; omitted: a private
   *   in-memory database.
   * @param options see {@link PouchStoreOptions}; the default prefix is `sess:`.
   * @throws InvalidOptionError naming the option at fault.
   */
  constructor(database?: string | PouchDatabase | PouchStoreOptions, options?: PouchStoreOptions) {
    const resolved = resolveArguments(database, options);
    super(resolved.options, { prefix: DEFAULT_PREFIX });
    const { options: settings } = resolved;
    this.intervals = resolveIntervals(settings);
    const source = resolveSource(resolved.database, settings.pouchOptions);
    this.idPrefix = this.prefix === '' ? '' : encodeDocId(this.prefix);
    this.cache = new SessionCache(this.intervals.maxIdle);

    this.opened = openDatabase(source, settings.pouchOptions);
    this.db = this.opened.db;
    if (this.userIndex && !UserLookup.supports(this.db)) {
      void this.opened.release().catch(() => undefined);
      throw new InvalidOptionError('userOf', 'needs a database with pouchdb-find (find and createIndex)');
    }
    this.users = this.userIndex ? new UserLookup(this.db) : undefined;
    this.purger = new ExpiryPurge(this.db, this.idPrefix, (deleted) => {
      for (const { id, rev } of deleted) {
        const sid = this.sidOf(id);
        if (sid !== undefined) this.cache.forget(sid, rev);
      }
    });
    this.follower = new ChangesFollower(this.db, {
      onChange: (change) => this.applyChange(change),
      onLive: () => this.feedLive(),
      onDown: (error, attempt) => this.feedDown(error, attempt),
    });
    this.follower.start();

    // Timers are unref'd: a store never keeps the process alive; close() clears them.
    if (this.intervals.maxIdle > 0) {
      this.every(this.intervals.scavenge, () => this.cache.sweep(Date.now()));
    }
    if (this.intervals.purge > 0) {
      this.every(this.intervals.purge, () => {
        if (this.connected) this.inBackground(this.purgeExpired());
      });
    }
  }

  /** The document id of a session id: the prefix plus the id, with a leading `_` or `%` escaped. */
  documentId(sid: string): string {
    return encodeDocId(this.key(sid));
  }

  /** How many sessions the in-process cache holds right now. */
  get cachedSessions(): number {
    return this.cache.size;
  }

  /**
   * Deletes this store's expired session documents now (the `purge` timer calls it);
   * resolves with how many were deleted.
   */
  async purgeExpired(): Promise<number> {
    try {
      return await this.purger.run();
    } catch (err) {
      throw this.classifyError(err);
    }
  }

  // ---- primitives ---------------------------------------------------------------

  protected override async readSession(sid: string): Promise<SessionData | null> {
    const now = Date.now();
    const cached = this.cache.read(sid, now);
    if (cached) {
      if (!isExpired(cached.expiresAt, now)) return this.loadedSession(sid, cached);
      this.cache.forget(sid);
      this.deleteExpired(sid, cached.rev);
      return null;
    }
    const loaded = await this.fetchDocument(sid);
    const stored = this.storedOrNull(sid, loaded);
    if (!stored) return null;
    if (isExpired(stored.expiresAt, now)) {
      this.deleteExpired(sid, stored.rev);
      return null;
    }
    const session = await this.loadedSession(sid, stored);
    // While a write to this id is queued, what was just read may already be outdated.
    if (session && !this.writes.busy(sid)) this.cache.offer(sid, stored, now);
    return session;
  }

  /**
   * Decodes a stored session and remembers its revision, for a later conditional write, and
   * its expiry, so `touchMargin` can skip touches it covers. PouchDB has no TTL of its own:
   * the document's `expiresAt` is the expiry itself. Every read (cache or database) treats
   * the session as gone from that instant on (`isExpired`), and the purge deletes only
   * documents past it, so it is exactly when the session reads as gone; `null` is never.
   * The field is compared with each reader's clock, as written by each writer's: a skipped
   * touch leaves what a written one would have replaced by a value at least as late, in the
   * same terms. A cached copy may trail another process's newer write by the feed's lag; that
   * write set its own expiry, later than the cached one unless its TTL rule is shorter.
   */
  private loadedSession(
    sid: string,
    stored: StoredSession,
  ): SessionData | null | Promise<SessionData | null> {
    const expiresAt = stored.expiresAt ?? Number.POSITIVE_INFINITY;
    return this.rememberLoaded(sid, this.decode(sid, stored.text), stored, stored.text, expiresAt);
  }

  /**
   * Writes over the revision that was loaded (the version is the loaded {@link StoredSession}):
   * CouchDB's own compare-and-set. A 409 means another writer got there first: `'gone'` when
   * the document is now deleted, else `'changed'`. A revision that had expired is gone too,
   * so an expired session is never revived.
   */
  protected override async writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    version: unknown,
    link?: UserLink,
  ): Promise<ConditionalWriteResult> {
    const loaded = version as StoredSession;
    if (isExpired(loaded.expiresAt, Date.now())) return 'gone';
    const text = this.encode(sid, session);
    const expiresAt = ttl.kind === 'expire' ? ttl.at : null;
    const docId = this.documentId(sid);
    const user = link?.user;
    return this.writes.run(sid, async (): Promise<ConditionalWriteResult> => {
      try {
        const result = (await this.db.put(sessionDocument(docId, loaded.rev, text, expiresAt, user))) as {
          rev: string;
        };
        const written = { rev: result.rev, text, expiresAt, user };
        this.cache.offer(sid, written, Date.now());
        return { version: written, text };
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.cache.forget(sid);
        return (await this.currentRevision(docId)) === undefined ? 'gone' : 'changed';
      }
    });
  }

  /**
   * With `userOf`, the document carries its user in a `user` field, and a plain write with a
   * user (a login: the first save of a new session) also deletes that user's expired
   * documents, so a user's entries in the index never pile up between purges.
   */
  protected override async writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    const text = this.encode(sid, session);
    const expiresAt = ttl.kind === 'expire' ? ttl.at : null;
    const docId = this.documentId(sid);
    const user = link?.user;
    await this.writes.run(sid, () =>
      this.retryConflicts(sid, async (fresh) => {
        const rev = fresh ? await this.currentRevision(docId) : this.cache.revisionOf(sid);
        const result = (await this.db.put(sessionDocument(docId, rev, text, expiresAt, user))) as {
          rev: string;
        };
        this.cache.offer(sid, { rev: result.rev, text, expiresAt, user }, Date.now());
      }),
    );
    // Housekeeping: the write is done, so a failure here is only reported.
    if (user !== undefined) await this.userDocuments(user).catch((err) => this.reportError(err));
  }

  protected override async removeSession(sid: string): Promise<void> {
    const docId = this.documentId(sid);
    await this.writes.run(sid, async () => {
      const cachedRev = this.cache.revisionOf(sid);
      this.cache.forget(sid);
      await this.retryConflicts(sid, async (fresh) => {
        const rev = (!fresh && cachedRev) || (await this.currentRevision(docId));
        if (rev === undefined) return;
        try {
          const result = (await this.db.put({ _id: docId, _rev: rev, _deleted: true })) as { rev: string };
          // Remembered, so that a read still in flight cannot put the session back in the cache.
          this.cache.forget(sid, result.rev);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      });
    });
  }

  protected override async refreshSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    const expiresAt = ttl.kind === 'expire' ? ttl.at : null;
    const docId = this.documentId(sid);
    await this.writes.run(sid, () =>
      this.retryConflicts(sid, async (fresh) => {
        const now = Date.now();
        const current =
          (!fresh && this.cache.read(sid, now)) || this.storedOrNull(sid, await this.fetchDocument(sid));
        // Never create a missing session, nor revive an expired one.
        if (!current || isExpired(current.expiresAt, now)) return;
        const stored = await this.decode(sid, current.text);
        if (!stored) return;
        // Only the cookie changes: data another request saved meanwhile is kept.
        const text = this.encode(sid, { ...stored, cookie: session.cookie });
        const { user } = current;
        const result = (await this.db.put(sessionDocument(docId, current.rev, text, expiresAt, user))) as {
          rev: string;
        };
        this.cache.offer(sid, { rev: result.rev, text, expiresAt, user }, Date.now());
      }),
    );
  }

  protected override async *scanIds(): AsyncIterable<string[]> {
    let startkey: string | undefined = this.idPrefix || undefined;
    let after: string | undefined;
    for (;;) {
      // Ids sort lexicographically in PouchDB and CouchDB alike, so the store's documents
      // form one run starting at its prefix: the scan stops at the first id outside it.
      const page = (await this.db.allDocs({
        ...(startkey === undefined ? {} : { startkey }),
        limit: BATCH_SIZE,
        include_docs: true,
      })) as AllDocsResult;
      const now = Date.now();
      const ids: string[] = [];
      let done = page.rows.length < BATCH_SIZE;
      for (const row of page.rows) {
        if (row.id === after) continue;
        if (!row.id.startsWith(this.idPrefix)) {
          done = true;
          break;
        }
        const sid = this.sidOf(row.id);
        if (sid !== undefined && isListedSession(row.doc, now)) ids.push(sid);
      }
      if (ids.length > 0) yield ids;
      const last = page.rows[page.rows.length - 1];
      if (done || !last) return;
      // Inclusive startkey without skip: rows deleted meanwhile (clear does) would shift a skip.
      startkey = last.id;
      after = last.id;
    }
  }

  protected override async readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    // One round trip per batch instead of one per session.
    const result = (await this.db.allDocs({
      keys: sids.map((sid) => this.documentId(sid)),
      include_docs: true,
    })) as AllDocsResult;
    const now = Date.now();
    return Promise.all(
      sids.map(async (sid, index) => {
        const stored = this.storedOrNull(sid, loadDocument(result.rows[index]?.doc));
        if (!stored || isExpired(stored.expiresAt, now)) return null;
        return this.decode(sid, stored.text);
      }),
    );
  }

  protected override async removeSessions(sids: readonly string[]): Promise<void> {
    for (const sid of sids) this.cache.forget(sid);
    const existing = (await this.db.allDocs({
      keys: sids.map((sid) => this.documentId(sid)),
    })) as AllDocsResult;
    const deletions = existing.rows
      .filter((row) => row.value && !row.value.deleted && !row.error)
      .map((row) => ({ _id: row.id, _rev: row.value?.rev as string, _deleted: true }));
    if (deletions.length === 0) return;
    const results = (await this.db.bulkDocs(deletions)) as BulkDocsResult[];
    const retry: string[] = [];
    for (const [index, outcome] of results.entries()) {
      const sid = this.sidOf(outcome.id ?? deletions[index]?._id ?? '');
      if (outcome.ok) {
        if (sid !== undefined) this.cache.forget(sid, outcome.rev);
        continue;
      }
      if (isNotFound(outcome)) continue;
      // Rewritten since it was listed: delete the current revision, one by one.
      if (isConflict(outcome) && sid !== undefined) retry.push(sid);
      else
        throw new BackendError(
          `${this.constructor.name}: ${outcome.message ?? outcome.reason ?? 'bulk delete failed'}`,
        );
    }
    await Promise.all(retry.map((sid) => this.removeSession(sid)));
  }

  /** The user's session documents of this prefix, through the mango index; expired ones are deleted on the way. */
  protected override async userSessionIds(user: string): Promise<string[]> {
    return this.userDocuments(user);
  }

  /**
   * Nothing to do: the index is built from the documents themselves. A destroyed session's
   * document is deleted, a re-assigned one carries its new user, and expired ones are
   * deleted whenever the user's sessions are listed or the user logs in (and by the purge).
   */
  protected override async unindexSessions(): Promise<void> {}

  protected override async closeBackend(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.follower.stop();
    // Let writes already under way finish before the database goes away.
    await this.writes.idle();
    await Promise.allSettled([...this.background]);
    this.cache.setLive(false);
    await this.opened.release();
  }

  protected override classifyError(err: unknown): SessionStoreError {
    return classifyPouchError(err, this.constructor.name);
  }

  // ---- internals ----------------------------------------------------------------------

  /** The ids of `user`'s live sessions of this prefix; deletes the user's expired documents. */
  private async userDocuments(user: string): Promise<string[]> {
    const docs = await (this.users as UserLookup).documentsOf(user);
    const now = Date.now();
    const live: string[] = [];
    const expired: Array<{ _id: string; _rev: string }> = [];
    for (const doc of docs) {
      const sid = this.sidOf(doc._id);
      if (sid === undefined) continue;
      if (typeof doc.expiresAt === 'number' && isExpired(doc.expiresAt, now)) expired.push(doc);
      else live.push(sid);
    }
    if (expired.length > 0) await this.purger.remove(expired);
    return live;
  }

  /** The session id of a document id of this store, or `undefined` for any other document. */
  private sidOf(docId: string): string | undefined {
    if (!docId.startsWith(this.idPrefix)) return undefined;
    const key = decodeDocId(docId);
    if (key === undefined || !key.startsWith(this.prefix)) return undefined;
    return key.slice(this.prefix.length);
  }

  /** Reads the document of a session from the database (never from the cache). */
  private async fetchDocument(sid: string): Promise<LoadedDocument> {
    try {
      return loadDocument((await this.db.get(this.documentId(sid))) as Record<string, unknown>);
    } catch (err) {
      if (isNotFound(err)) return { state: 'missing' };
      throw err;
    }
  }

  /** The stored session of a loaded document; `null` when there is none; corrupt fields per `onCorrupt`. */
  private storedOrNull(sid: string, loaded: LoadedDocument): StoredSession | null {
    switch (loaded.state) {
      case 'session':
        return loaded.stored;
      case 'corrupt':
        return this.corruptData(sid, new TypeError(loaded.reason));
      default:
        return null;
    }
  }

  /** The current revision of a document, without its body; `undefined` when missing or deleted. */
  private async currentRevision(docId: string): Promise<string | undefined> {
    const result = (await this.db.allDocs({ keys: [docId] })) as AllDocsResult;
    const row = result.rows[0];
    return row?.value && !row.value.deleted && !row.error ? row.value.rev : undefined;
  }

  /**
   * Runs a write until it does not conflict. The first attempt may use the cached
   * revision; each retry (`fresh`) reads the current one from the database.
   */
  private async retryConflicts(sid: string, attempt: (fresh: boolean) => Promise<void>): Promise<void> {
    for (let n = 0; ; n += 1) {
      try {
        await attempt(n > 0);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.cache.forget(sid);
        if (n + 1 >= MAX_WRITE_ATTEMPTS) {
          throw new BackendError(
            `${this.constructor.name}: session "${sid}" kept changing under concurrent writers (${MAX_WRITE_ATTEMPTS} attempts)`,
            { cause: err },
          );
        }
        // From the second retry on, back off a little so competing processes interleave.
        if (n > 0) await pause(Math.random() * 10 * n);
      }
    }
  }

  /** Deletes an expired session at the revision that was read; a newer revision (409) is left alone. */
  private deleteExpired(sid: string, rev: string): void {
    if (this.closed || !rev) return;
    const docId = this.documentId(sid);
    this.inBackground(
      this.db.put({ _id: docId, _rev: rev, _deleted: true }).then(
        (result) => this.cache.forget(sid, (result as { rev: string }).rev),
        (err: unknown) => {
          if (!isConflict(err) && !isNotFound(err)) throw err;
        },
      ),
    );
  }

  /** Tracks a background task so close() can wait for it; its failure goes to `error` listeners. */
  private inBackground(task: Promise<unknown>): void {
    const tracked = task.catch((err: unknown) => this.reportError(this.classifyError(err)));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private applyChange(change: FeedChange): void {
    const sid = this.sidOf(change.id);
    if (sid === undefined) return;
    if (change.deleted) {
      this.cache.forget(sid, change.changes?.[0]?.rev ?? (change.doc?._rev as string | undefined));
      return;
    }
    const loaded = loadDocument(change.doc);
    this.cache.applyChange(sid, loaded.state === 'session' ? loaded.stored : undefined);
  }

  private feedLive(): void {
    this.everLive = true;
    this.cache.setLive(true);
    this.setConnected(true);
    // Created once per store (a no-op when it exists), so the first purge does not wait for it.
    this.inBackground(this.purger.prepare());
    if (this.users) this.inBackground(this.users.prepare());
  }

  private feedDown(error: unknown, attempt: number): void {
    // A single drop (a cut long poll) is resumed at once from the last change seen, so the
    // cache stays valid. When that fails too, changes may be missed: stop trusting the
    // cache, and tell express-session (which then serves requests without sessions).
    if (attempt === 0 && this.everLive) return;
    this.cache.setLive(false);
    this.reportError(this.classifyError(error));
    this.setConnected(false);
  }
}
