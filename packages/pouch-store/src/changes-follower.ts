import type { FeedChange, PouchChangesFeed, PouchDatabase } from './database';

/** What the follower reports to the store. */
export interface FollowerHandlers {
  /** A document changed (also for the store's own writes). */
  onChange(change: FeedChange): void;
  /** The feed is live: every change from now on will be reported. */
  onLive(): void;
  /**
   * The feed failed; `attempt` counts consecutive failures. After the first (0), the feed is
   * resumed at once from the last change it reported, so nothing is missed if that works;
   * after later ones it restarts from the database's current sequence, with backoff.
   */
  onDown(error: unknown, attempt: number): void;
}

/** Delays between reconnection attempts: the first retry is immediate, then 100 ms doubling to 5 s. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/**
 * Follows a database's changes feed and keeps following it. A dropped feed is resumed at
 * once from the last sequence it delivered (a cut long poll loses nothing); when that
 * fails too, it reconnects with backoff from the database's current sequence (the store
 * drops its cache meanwhile, so no change can be missed). Timers never keep the process alive.
 */
export class ChangesFollower {
  private feed: PouchChangesFeed | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  /** The sequence to resume from after a single failure: the last one delivered (or started from). */
  private lastSeq: string | number | undefined;

  constructor(
    private readonly db: PouchDatabase,
    private readonly handlers: FollowerHandlers,
  ) {}

  /** Starts following. */
  start(): void {
    this.adjustListenerLimit(1);
    void this.connect();
  }

  /** Stops following for good: cancels the feed and any pending retry. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.adjustListenerLimit(-1);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const feed = this.feed;
    this.feed = undefined;
    feed?.cancel();
  }

  /**
   * Each live feed adds a listener to the database object. Several stores may share one
   * database (one per prefix), so each makes room for its own listener instead of
   * tripping Node's "possible memory leak" warning at eleven.
   */
  private adjustListenerLimit(delta: number): void {
    const emitter = this.db as unknown as Partial<
      Pick<NodeJS.EventEmitter, 'getMaxListeners' | 'setMaxListeners'>
    >;
    if (typeof emitter.getMaxListeners !== 'function' || typeof emitter.setMaxListeners !== 'function')
      return;
    const limit = emitter.getMaxListeners();
    // 0 means unlimited: leave it alone.
    if (limit > 0) emitter.setMaxListeners(Math.max(1, limit + delta));
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    try {
      // An explicit sequence (rather than since: 'now') makes "live" mean "nothing missed after this point".
      const info = (await this.db.info()) as { update_seq?: string | number };
      if (this.stopped) return;
      // Resuming after one failure loses nothing; after more, the store has dropped its cache.
      const since = (this.failures === 1 ? this.lastSeq : undefined) ?? info.update_seq ?? 'now';
      this.lastSeq = since;
      const feed = this.db.changes({
        since,
        live: true,
        include_docs: true,
        // Without this PouchDB keeps every change of a live feed in memory.
        return_docs: false,
      });
      this.feed = feed;
      feed.on('change', (change) => {
        if (this.feed !== feed) return;
        this.lastSeq = change.seq;
        this.handlers.onChange(change);
      });
      feed.on('error', (error) => {
        if (this.feed === feed) this.fail(error);
      });
      feed.on('complete', () => {
        // A live feed only completes when cancelled; anything else is a failure.
        if (this.feed === feed) this.fail(new Error('the changes feed ended'));
      });
      this.failures = 0;
      this.handlers.onLive();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    const feed = this.feed;
    this.feed = undefined;
    feed?.cancel();
    const attempt = this.failures;
    this.failures += 1;
    this.handlers.onDown(error, attempt);
    if (this.stopped) return;
    const delay = attempt === 0 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
    // Jitter, so that many processes losing the same server do not return in lockstep.
    this.retryTimer = setTimeout(() => void this.connect(), delay * (0.75 + Math.random() / 2));
    this.retryTimer.unref();
  }
}
