import type { StoreCapabilities } from './capabilities';
import { InvalidOptionError } from './errors';
import type { ConditionalWriteResult } from './overlap';
import type { SessionData } from './session-data';
import { SessionStore, type SessionStoreOptions } from './session-store';
import type { WriteTtl } from './ttl';
import type { UserLink } from './user-index';

/**
 * One stored session of a {@link MemoryDatabase}: its encoded text, when it expires (epoch
 * ms, or null for never) and its version.
 */
export interface MemoryEntry {
  readonly text: string;
  readonly expiresAt: number | null;
  /** Set by the database on every write, unique across databases, for conditional writes. */
  readonly version: number;
}

/** The next version number any memory entry gets (unique across databases, so a recreated entry never matches). */
let nextVersion = 1;

/**
 * The storage behind one or more {@link MemoryStore}s. Stores sharing a database
 * see the same keys, so their prefixes keep them apart, as on a real server.
 * Iteration order is least recently used first, which makes LRU eviction cheap.
 */
export class MemoryDatabase {
  /** Entries by full key (prefix + id), least recently used first. */
  private readonly entries = new Map<string, MemoryEntry>();
  /** User indexes: the full keys of each user's sessions, by index key (see {@link MemoryStore}). */
  private readonly userIndexes = new Map<string, Set<string>>();
  /** The index key each indexed entry is filed under: an entry leaves its index when it leaves the database. */
  private readonly indexOfKey = new Map<string, string>();
  /** The most entries kept; the least recently used are evicted beyond it. */
  readonly maxEntries: number;

  /** @param maxEntries bound on the number of entries (default unbounded). */
  constructor(maxEntries = Number.POSITIVE_INFINITY) {
    if (!(maxEntries >= 1)) throw new InvalidOptionError('maxSessions', 'expected a number of at least 1');
    this.maxEntries = maxEntries;
  }

  /** Returns the live entry under `key`, dropping it if it has expired, and marks it recently used. */
  read(key: string, now = Date.now()): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.unlink(key);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Stores an entry as the most recently used one, evicting the least recently used beyond
   * the bound. Returns the entry's new version.
   * @param indexKey files the entry under this user index (`null`: under none; omitted: as it was).
   */
  write(key: string, entry: Pick<MemoryEntry, 'text' | 'expiresAt'>, indexKey?: string | null): number {
    const version = nextVersion++;
    this.entries.delete(key);
    this.entries.set(key, { text: entry.text, expiresAt: entry.expiresAt, version });
    if (indexKey !== undefined) this.link(key, indexKey);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    return version;
  }

  /** The keys a user index lists, as filed (an expired entry stays until it is read, swept or the index is written). */
  indexed(indexKey: string): string[] {
    return [...(this.userIndexes.get(indexKey) ?? [])];
  }

  /** Removes keys from a user index (the entries stay). */
  unindex(indexKey: string, keys: readonly string[]): void {
    for (const key of keys) if (this.indexOfKey.get(key) === indexKey) this.unlink(key);
  }

  /** Files `key` under `indexKey` (or under none), and drops the expired entries of that index. */
  private link(key: string, indexKey: string | null): void {
    this.unlink(key);
    if (indexKey === null) return;
    const now = Date.now();
    for (const other of this.userIndexes.get(indexKey) ?? []) {
      const expiresAt = this.entries.get(other)?.expiresAt;
      if (expiresAt !== undefined && expiresAt !== null && expiresAt <= now) this.delete(other);
    }
    // Looked up after the pruning, which drops an index it empties.
    let keys = this.userIndexes.get(indexKey);
    if (!keys) {
      keys = new Set();
      this.userIndexes.set(indexKey, keys);
    }
    keys.add(key);
    this.indexOfKey.set(key, indexKey);
  }

  private unlink(key: string): void {
    const indexKey = this.indexOfKey.get(key);
    if (indexKey === undefined) return;
    this.indexOfKey.delete(key);
    const keys = this.userIndexes.get(indexKey);
    keys?.delete(key);
    if (keys?.size === 0) this.userIndexes.delete(indexKey);
  }

  /** The entry under `key` as stored, expired or not, without marking it used. */
  peek(key: string): MemoryEntry | undefined {
    return this.entries.get(key);
  }

  /** Every key held, expired ones included, least recently used first. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Deletes the entry under `key`, if any. */
  delete(key: string): void {
    this.entries.delete(key);
    this.unlink(key);
  }

  /** Deletes every expired entry. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.delete(key);
    }
  }
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions extends SessionStoreOptions {
  /** Keep at most this many sessions, evicting the least recently used. Default unbounded. Not with `database`. */
  maxSessions?: number | undefined;
  /** How often expired sessions are swept out, in ms; `0` turns the sweep off. Default 60,000. */
  sweepIntervalMs?: number | undefined;
  /** Share storage with other stores (they should use other prefixes). Default: a private database. */
  database?: MemoryDatabase | undefined;
}

/**
 * An in-process store: the conformance kit's reference and a sound choice for a
 * single process in development. Expiry is checked on every read and swept
 * periodically (the timer never keeps the process alive); `maxSessions` bounds
 * memory with least-recently-used eviction. Sessions are kept encoded, so callers
 * never share objects with the store.
 */
export class MemoryStore extends SessionStore {
  static override readonly backend = 'memory';
  static override readonly capabilities: StoreCapabilities = {
    methods: { touch: true, all: true, length: true, clear: true, ids: true },
    ttlGranularityMs: 1,
    expiresOnServer: true,
    prefixIsolation: true,
    events: { connect: true, disconnect: true },
    replicationLagMs: 0,
    conditionalWrites: true,
    userSessions: true,
  };

  /** The storage in use. */
  readonly database: MemoryDatabase;
  private readonly sweeper: NodeJS.Timeout | undefined;

  /** @param options see {@link MemoryStoreOptions}; the default prefix is `sess:`. */
  constructor(options: MemoryStoreOptions = {}) {
    super(options, { prefix: 'sess:' });
    const { maxSessions, sweepIntervalMs = 60_000, database } = options;
    if (database !== undefined && maxSessions !== undefined) {
      throw new InvalidOptionError('maxSessions', 'set it on the shared MemoryDatabase instead');
    }
    if (database !== undefined && !(database instanceof MemoryDatabase)) {
      throw new InvalidOptionError('database', 'expected a MemoryDatabase');
    }
    if (typeof sweepIntervalMs !== 'number' || !(sweepIntervalMs >= 0)) {
      throw new InvalidOptionError('sweepIntervalMs', 'expected a number of milliseconds, 0 or more');
    }
    this.database = database ?? new MemoryDatabase(maxSessions);
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => this.database.sweep(), sweepIntervalMs);
      this.sweeper.unref();
    }
    this.setConnected(true);
  }

  protected override async readSession(sid: string): Promise<SessionData | null> {
    const entry = this.database.read(this.key(sid));
    if (!entry) return null;
    // The entry's expiry is known exactly: it lets touchMargin skip touches.
    const expiresAt = entry.expiresAt ?? Number.POSITIVE_INFINITY;
    return this.rememberLoaded(sid, this.decode(sid, entry.text), entry.version, entry.text, expiresAt);
  }

  protected override async writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    this.store(sid, this.encode(sid, session), ttl, link);
  }

  protected override async writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    version: unknown,
    link?: UserLink,
  ): Promise<ConditionalWriteResult> {
    const entry = this.database.read(this.key(sid));
    if (!entry) return 'gone';
    if (entry.version !== version) return 'changed';
    const text = this.encode(sid, session);
    return { version: this.store(sid, text, ttl, link), text };
  }

  /** Writes an entry (filed under its user's index as `link` says) and returns its new version. */
  private store(sid: string, text: string, ttl: WriteTtl, link?: UserLink): number {
    const indexKey =
      link === undefined ? undefined : link.user === undefined ? null : this.indexKey(link.user);
    return this.database.write(
      this.key(sid),
      { text, expiresAt: ttl.kind === 'expire' ? ttl.at : null },
      indexKey,
    );
  }

  /** The index key of a user of this store: the prefix and the user, so no two stores' users meet. */
  private indexKey(user: string): string {
    return JSON.stringify([this.prefix, user]);
  }

  protected override async userSessionIds(user: string): Promise<string[]> {
    return this.database.indexed(this.indexKey(user)).map((key) => key.slice(this.prefix.length));
  }

  protected override async unindexSessions(user: string, sids: readonly string[]): Promise<void> {
    this.database.unindex(
      this.indexKey(user),
      sids.map((sid) => this.key(sid)),
    );
  }

  protected override async removeSession(sid: string): Promise<void> {
    this.database.delete(this.key(sid));
  }

  protected override async removeSessions(sids: readonly string[]): Promise<void> {
    for (const sid of sids) this.database.delete(this.key(sid));
  }

  protected override async refreshSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    const key = this.key(sid);
    const entry = this.database.read(key);
    if (!entry) return;
    const stored = await this.decode(sid, entry.text);
    if (!stored) return;
    this.store(sid, this.encode(sid, { ...stored, cookie: session.cookie }), ttl);
  }

  protected override async *scanIds(): AsyncIterable<string[]> {
    const now = Date.now();
    const ids: string[] = [];
    for (const key of this.database.keys()) {
      if (!key.startsWith(this.prefix)) continue;
      const { expiresAt } = this.database.peek(key) as MemoryEntry;
      if (expiresAt !== null && expiresAt <= now) continue;
      ids.push(key.slice(this.prefix.length));
    }
    yield ids;
  }

  protected override async closeBackend(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
