import { isExpired, revisionGeneration, type StoredSession } from './document';

/** How long a deletion is remembered, to reject reads that started before it. */
const DELETION_MEMORY_MS = 10_000;

interface CacheEntry extends StoredSession {
  lastUsed: number;
}

/**
 * The in-process cache of recently used sessions. It holds encoded text, never objects,
 * so every read decodes a fresh session and no caller shares state with the store.
 *
 * It is only trusted while the changes feed is live: when the feed drops, the cache is
 * emptied and stays off until the feed is back, since changes made meanwhile by other
 * processes would be missed.
 */
export class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();
  /**
   * The revision generation at which recently deleted sessions were deleted: a read that
   * started before the delete must not bring the session back into the cache.
   */
  private readonly deletions = new Map<string, { generation: number; at: number }>();
  private live = false;

  /** @param maxIdleMs entries unused for longer are evicted by {@link sweep}; 0 disables the cache. */
  constructor(private readonly maxIdleMs: number) {}

  /** Whether entries are kept at all. */
  get enabled(): boolean {
    return this.live && this.maxIdleMs > 0;
  }

  /** How many sessions are cached. */
  get size(): number {
    return this.entries.size;
  }

  /** Turns the cache on (feed live) or off and empty (feed down). */
  setLive(live: boolean): void {
    this.live = live;
    if (!live) this.clear();
  }

  /** The cached session, marked as used; `undefined` on a miss. */
  read(sid: string, now: number): StoredSession | undefined {
    const entry = this.entries.get(sid);
    if (entry) entry.lastUsed = now;
    return entry;
  }

  /** The cached revision, for an update that should not need a read first. */
  revisionOf(sid: string): string | undefined {
    return this.entries.get(sid)?.rev;
  }

  /**
   * Caches a session unless a newer revision is already cached: reads, own writes and
   * the feed may deliver revisions out of order, and the highest generation wins.
   */
  offer(sid: string, stored: StoredSession, now: number): void {
    if (!this.enabled) return;
    const generation = revisionGeneration(stored.rev);
    const deleted = this.deletions.get(sid);
    if (deleted && deleted.generation >= generation) return;
    this.deletions.delete(sid);
    const current = this.entries.get(sid);
    if (current && revisionGeneration(current.rev) > generation) return;
    this.entries.set(sid, { ...stored, lastUsed: current?.lastUsed ?? now });
  }

  /**
   * Applies a change seen on the feed to a cached session (uncached ones stay uncached):
   * a newer revision replaces it, a competing one of the same generation drops it.
   */
  applyChange(sid: string, stored: StoredSession | undefined): void {
    const current = this.entries.get(sid);
    if (!current) return;
    if (!stored) {
      this.entries.delete(sid);
      return;
    }
    if (stored.rev === current.rev) return;
    const incoming = revisionGeneration(stored.rev);
    const cached = revisionGeneration(current.rev);
    if (incoming > cached) this.entries.set(sid, { ...stored, lastUsed: current.lastUsed });
    else if (incoming === cached) this.entries.delete(sid);
  }

  /** Drops a session from the cache; with `deletedRev`, also remembers that it was deleted at that revision. */
  forget(sid: string, deletedRev?: string, now = Date.now()): void {
    this.entries.delete(sid);
    if (deletedRev !== undefined && this.enabled) {
      this.deletions.set(sid, { generation: revisionGeneration(deletedRev), at: now });
    }
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear();
    this.deletions.clear();
  }

  /** Evicts sessions idle for longer than `maxIdle`, and expired ones. */
  sweep(now: number): void {
    for (const [sid, entry] of this.entries) {
      if (now - entry.lastUsed > this.maxIdleMs || isExpired(entry.expiresAt, now)) this.entries.delete(sid);
    }
    // Deletion marks only matter to reads in flight at the time: a few seconds is plenty.
    for (const [sid, deleted] of this.deletions) {
      if (now - deleted.at > DELETION_MEMORY_MS) this.deletions.delete(sid);
    }
  }
}
