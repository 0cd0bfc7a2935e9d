/** One cached read: the stored text and, when known, when Redis will expire it (epoch ms). */
export interface CachedSession {
  readonly text: string;
  readonly expiresAt: number | undefined;
}

interface Entry extends CachedSession {
  /** When the entry stops being served, whatever the invalidations say (epoch ms). */
  readonly staleAt: number;
}

/** A read in flight for one key, shared by the reads of that key that overlap. */
interface ReadInFlight {
  count: number;
  /** An invalidation of the key arrived while the read was in flight: its answer may be old. */
  invalidated: boolean;
}

/**
 * The texts of sessions this process read, kept right by Redis's invalidation messages
 * (see `InvalidationChannel`). It serves entries only while the channel is up (`live`), and
 * none older than `maxAgeMs`, the hard bound on how stale a read can be if an invalidation
 * is late or lost. A read whose key was invalidated while it was in flight is not cached:
 * the invalidation and the reply travel on different connections, so the reply may be the
 * older of the two.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reads = new Map<string, ReadInFlight>();
  private live = false;

  /**
   * @param maxAgeMs the longest an entry is served after it was read.
   * @param maxEntries the most entries kept; the oldest read goes first.
   */
  constructor(
    readonly maxAgeMs: number,
    readonly maxEntries: number,
  ) {}

  /** Whether entries are being served (the invalidation channel is up). */
  get isLive(): boolean {
    return this.live;
  }

  /** How many entries are held. */
  get size(): number {
    return this.entries.size;
  }

  /** The channel is up (`true`: serve and fill) or down (`false`: forget everything, serve nothing). */
  setLive(live: boolean): void {
    if (!live) this.invalidateAll();
    this.live = live;
  }

  /** The cached read of `key`, if there is one younger than `maxAgeMs`. */
  lookup(key: string, now = Date.now()): CachedSession | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.staleAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Call before sending a read of `key`; give the token to {@link finishRead}. */
  startRead(key: string): ReadInFlight {
    let read = this.reads.get(key);
    if (read === undefined) {
      read = { count: 0, invalidated: false };
      this.reads.set(key, read);
    }
    read.count += 1;
    return read;
  }

  /**
   * Call with what the read returned (`undefined` when it failed or found nothing): it is
   * cached unless the key was invalidated meanwhile or the channel went down.
   */
  finishRead(key: string, read: ReadInFlight, found: CachedSession | undefined, readAt: number): void {
    read.count -= 1;
    if (read.count === 0 && this.reads.get(key) === read) this.reads.delete(key);
    if (found === undefined || read.invalidated || !this.live) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(key);
    this.entries.set(key, { text: found.text, expiresAt: found.expiresAt, staleAt: readAt + this.maxAgeMs });
  }

  /** Forgets `key`: Redis said it changed, or this process is about to change it. */
  invalidate(key: string): void {
    this.entries.delete(key);
    const read = this.reads.get(key);
    if (read !== undefined) read.invalidated = true;
  }

  /** Forgets every key (Redis flushed the database, or the channel was down and may have missed some). */
  invalidateAll(): void {
    this.entries.clear();
    for (const read of this.reads.values()) read.invalidated = true;
  }
}
