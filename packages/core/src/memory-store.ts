import type { StoreCapabilities } from './capabilities';
import { InvalidOptionError } from './errors';
import type { ConditionalWriteResult } from './overlap';
import type { SessionData } from './session-data';
import { SessionStore, type SessionStoreOptions } from './session-store';
import type { WriteTtl } from './ttl';

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
    if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Stores an entry as the most recently used one, evicting the least recently used beyond
   * the bound. Returns the entry's new version.
   */
  write(key: string, entry: Pick<MemoryEntry, 'text' | 'expiresAt'>): number {
    const version = nextVersion++;
    this.entries.delete(key);
    this.entries.set(key, { text: entry.text, expiresAt: entry.expiresAt, version });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return version;
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
  }

  /** Deletes every expired entry. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.entries.delete(key);
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
    return this.rememberLoaded(sid, this.decode(sid, entry.text), entry.version, entry.text);
  }

  protected override async writeSession(sid: string, session: SessionData, ttl: WriteTtl): Promise<void> {
    this.store(sid, this.encode(sid, session), ttl);
  }

  protected override async writeSessionIf(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    version: unknown,
  ): Promise<ConditionalWriteResult> {
    const entry = this.database.read(this.key(sid));
    if (!entry) return 'gone';
    if (entry.version !== version) return 'changed';
    const text = this.encode(sid, session);
    return { version: this.store(sid, text, ttl), text };
  }

  /** Writes an entry and returns its new version. */
  private store(sid: string, text: string, ttl: WriteTtl): number {
    return this.database.write(this.key(sid), { text, expiresAt: ttl.kind === 'expire' ? ttl.at : null });
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
