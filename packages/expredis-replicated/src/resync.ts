import { Activity } from './activity';
import type { Replica } from './replica';

/** Wait before a pass starts: a server that flaps up and down gets one pass, not one per flap. */
const START_DELAY_MS = 500;
/** Wait before a failed pass is tried again; doubles after each failure, up to MAX_RETRY_MS. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** Keys resynced at once. */
const CONCURRENCY = 16;

/** What a resync needs from the store. */
export interface ResyncSettings {
  readonly replicas: readonly Replica[];
  /** The keys whose copies may differ between the servers; fails when a `required` server cannot be scanned. */
  divergentKeys(required: readonly Replica[]): AsyncIterable<string[]>;
  /**
   * Reads `key` on every server and repairs the stale copies; resolves whether every
   * `required` server answered and every repair went through. Never rejects.
   */
  resyncKey(key: string, required: readonly Replica[]): Promise<boolean>;
  /** Reports a pass that failed (the store's `error` event). */
  report(error: unknown): void;
}

/** One pass over the divergent keys, for the servers behind when it started. */
interface Pass {
  readonly replicas: readonly Replica[];
  /** Their {@link Replica.behindMark} when the pass started. */
  readonly marks: readonly number[];
  /** One of them became unreachable, or the store closed: the pass stops. */
  aborted: boolean;
}

/**
 * Brings servers that are {@link Replica.behind} up to date in the background, so a server
 * that was away (or failed writes) catches up without waiting for the app to read each
 * session: a pass lists the keys whose copies differ between the servers (see
 * scanDivergent) and runs a read with repair on each, a few at a time. A pass that
 * completes clears `behind` on the servers it was for, unless they were marked again
 * meanwhile; one that fails is tried again later. `activity` covers a pass that is about
 * to start or running (not the wait before a retry), for the store's `idle()`.
 */
export class Resync {
  /** A pass scheduled to start, or running. */
  readonly activity = new Activity();
  private timer: NodeJS.Timeout | undefined;
  /** Whether the pending timer is counted in `activity` (a retry's is not). */
  private timerCounted = false;
  private current: Pass | undefined;
  private stopped = false;
  private retryMs = RETRY_MS;

  constructor(private readonly settings: ResyncSettings) {}

  /** Whether a reachable server is behind: until it is resynced, reads ask every server. */
  get needed(): boolean {
    for (const replica of this.settings.replicas) if (replica.behind && replica.usable) return true;
    return false;
  }

  /** A server was marked behind: a pass starts soon (after the one running, if any). */
  request(): void {
    // A pass running now looks again when it ends (the server's new mark is not cleared by it).
    if (this.stopped || this.current) return;
    if (!this.needed || (this.timer && this.timerCounted)) return;
    this.schedule(START_DELAY_MS, true);
  }

  /** A server became reachable or unreachable: a pass for one that became unreachable stops. */
  changed(): void {
    const pass = this.current;
    if (pass && !pass.aborted && pass.replicas.some((replica) => !replica.usable)) pass.aborted = true;
  }

  /** Stops for good (the store closes): no pass starts any more, the one running stops. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    if (this.current) this.current.aborted = true;
  }

  private schedule(ms: number, counted: boolean): void {
    this.clearTimer();
    this.timerCounted = counted;
    if (counted) this.activity.begin();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!counted) this.activity.begin();
      // run() catches everything but an `error` listener that throws: never an unhandled rejection.
      this.run()
        .catch(() => undefined)
        .finally(this.activity.end);
    }, ms);
    // Only a pending pass: the app's own work keeps the process alive, not this.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.timerCounted) this.activity.end();
  }

  /** Runs one pass, then schedules what comes next. Never rejects. */
  private async run(): Promise<void> {
    if (this.stopped) return;
    const replicas = this.settings.replicas.filter((replica) => replica.behind && replica.usable);
    if (replicas.length === 0) return;
    const pass: Pass = { replicas, marks: replicas.map((replica) => replica.behindMark), aborted: false };
    this.current = pass;
    let completed = false;
    try {
      completed = await this.runPass(pass);
    } catch (err) {
      if (!pass.aborted) this.settings.report(err);
    } finally {
      this.current = undefined;
    }
    if (this.stopped) return;
    if (completed) {
      for (const [index, replica] of replicas.entries()) replica.clearBehind(pass.marks[index] as number);
      this.retryMs = RETRY_MS;
    }
    if (!this.needed) return;
    if (completed || pass.aborted) {
      // Servers marked again meanwhile, or others still behind: another pass soon.
      this.schedule(START_DELAY_MS, true);
    } else {
      this.schedule(this.retryMs, false);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
  }

  /** Resolves whether every key was resynced; false when aborted or when some key failed. */
  private async runPass(pass: Pass): Promise<boolean> {
    let completed = true;
    for await (const keys of this.settings.divergentKeys(pass.replicas)) {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < keys.length && !pass.aborted) {
          const key = keys[next++] as string;
          if (!(await this.settings.resyncKey(key, pass.replicas))) completed = false;
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length) }, worker));
      if (pass.aborted) return false;
    }
    return completed && !pass.aborted;
  }
}
