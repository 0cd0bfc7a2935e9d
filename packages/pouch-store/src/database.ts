/**
 * The part of the PouchDB API the store uses. A PouchDB instance (any adapter) satisfies
 * it, and so does any object offering the same methods with the same promise-returning
 * behaviour. Declared here, rather than taken from `@types/pouchdb-core`, so that users
 * of the store need no PouchDB type packages.
 */
export interface PouchDatabase {
  /** Reads a document; rejects with status 404 when it is missing or deleted. */
  get(docId: string): Promise<object>;
  /** Writes a document; rejects with status 409 when `_rev` is not the current revision. */
  put(doc: object): Promise<object>;
  /** Writes several documents; each result is `{ ok, id, rev }` or an error. */
  bulkDocs(docs: object[]): Promise<object[]>;
  /** Lists documents by id range (`startkey`, `limit`) or by `keys`, optionally with their bodies. */
  allDocs(options: object): Promise<object>;
  /** Follows the database's changes; the store uses `live: true` feeds. */
  changes(options: PouchChangesOptions): PouchChangesFeed;
  /** Database information; the store reads `update_seq`. */
  info(): Promise<object>;
  /** Optional: only called when the store created the database itself. */
  close?(): Promise<void>;
  /** Optional (pouchdb-find): purge uses an index when both `find` and `createIndex` exist. */
  find?(request: {
    selector: Record<string, unknown>;
    fields?: string[];
    limit?: number;
    skip?: number;
    use_index?: string | [string, string];
  }): Promise<object>;
  /** Optional (pouchdb-find). */
  createIndex?(index: { index: { fields: string[]; ddoc?: string; name?: string } }): Promise<object>;
}

/** The options the store passes to `changes()`. */
export interface PouchChangesOptions {
  /** The sequence to start after. */
  since?: string | number;
  /** Keep following (always `true` here). */
  live?: boolean;
  /** Deliver each changed document with its change. */
  include_docs?: boolean;
  /** Keep past changes in memory (always `false` here). */
  return_docs?: boolean;
}

/** A live changes feed as `db.changes({ live: true })` returns it. */
export interface PouchChangesFeed {
  /** A document changed. */
  on(event: 'change', listener: (change: FeedChange) => void): unknown;
  /** The feed failed and stopped. */
  on(event: 'error', listener: (error: unknown) => void): unknown;
  /** The feed ended (for a live feed: it was cancelled). */
  on(event: 'complete', listener: (info: unknown) => void): unknown;
  /** Stops the feed. */
  cancel(): void;
}

/** Options the store passes to the PouchDB constructor when it creates the database itself. */
export interface PouchConstructorOptions {
  /** Credentials for a remote CouchDB (they may also be given in the URL). */
  auth?: { username: string; password: string } | undefined;
  /** Extra HTTP headers for every request to a remote CouchDB. */
  headers?: Record<string, string> | undefined;
  /** A fetch implementation for the http adapter (default: PouchDB's node-fetch). */
  fetch?: ((url: string, init?: object) => Promise<unknown>) | undefined;
  /** Do not check or create the remote database on first use. */
  skip_setup?: boolean | undefined;
  /** Any other option of the PouchDB constructor, passed on as is. */
  [option: string]: unknown;
}

// ---- internal shapes of PouchDB answers (what the store reads from them) ----

/** One row of `allDocs`. */
export interface AllDocsRow {
  readonly id: string;
  readonly key: string;
  readonly error?: string;
  readonly value?: { readonly rev: string; readonly deleted?: boolean };
  readonly doc?: Record<string, unknown> | null;
}

/** The answer of `allDocs`. */
export interface AllDocsResult {
  readonly rows: readonly AllDocsRow[];
}

/** One result of `bulkDocs`: `{ ok, id, rev }` or an error with `status` / `name` / `error`. */
export interface BulkDocsResult {
  readonly id?: string;
  readonly rev?: string;
  readonly ok?: boolean;
  readonly status?: number;
  readonly name?: string;
  readonly error?: string | boolean;
  readonly message?: string;
  readonly reason?: string;
}

/** One event of the changes feed. */
export interface FeedChange {
  readonly id: string;
  readonly seq: string | number;
  readonly deleted?: boolean;
  readonly changes?: ReadonlyArray<{ readonly rev: string }>;
  readonly doc?: Record<string, unknown>;
}

/** Whether `value` looks like a PouchDB database (duck typing across PouchDB copies and versions). */
export function isPouchDatabase(value: unknown): value is PouchDatabase {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return ['get', 'put', 'bulkDocs', 'changes'].every((name) => typeof candidate[name] === 'function');
}
