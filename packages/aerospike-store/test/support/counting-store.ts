import type { SessionData, UserLink, WriteTtl } from '@session-stores/core';
import { AerospikeStore } from '../../src';

/** Touches skipped by every {@link CountingStore} of the test file (touchMargin), counted when they succeed. */
export const touchCounts = { skipped: 0, written: 0 };

/**
 * An AerospikeStore that counts, across the file, the touches that reached the backend and
 * those core skipped because the stored expiry already covered them: the conformance runs
 * then prove skips happened rather than only that nothing broke.
 */
export class CountingStore extends AerospikeStore {
  /** Set when the touch under way reached refreshSession or removeSession. */
  private reachedBackend = false;

  protected override refreshSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void> {
    this.reachedBackend = true;
    return super.refreshSession(sid, session, ttl, link);
  }

  protected override removeSession(sid: string): Promise<void> {
    this.reachedBackend = true;
    return super.removeSession(sid);
  }

  override touch(sid: string, session: SessionData): Promise<void>;
  override touch(sid: string, session: SessionData, callback: (err?: unknown) => void): void;
  override touch(
    sid: string,
    session: SessionData,
    callback?: (err?: unknown) => void,
  ): Promise<void> | undefined {
    this.reachedBackend = false;
    // Core decides synchronously whether to send anything, so the flag describes this call.
    const counting = this.touchMargin > 0 && !this.disableTouch && !this.closed;
    const promise = super.touch(sid, session);
    const reached = this.reachedBackend;
    const counted = promise.then(() => {
      if (!counting) return;
      if (reached) touchCounts.written += 1;
      else touchCounts.skipped += 1;
    });
    if (!callback) return counted;
    counted.then(() => callback(), callback);
    return undefined;
  }
}
