import { promisify } from 'node:util';
import type { SessionData, Store } from 'express-session';
import { type SubjectInstance, VerificationFailure } from './context';
import type { SessionItem } from './fixtures';
import { callbackOps, type StoreOps } from './store-ops';

/**
 * session-pouchdb-store 0.4.1 (the anchor of our pouch-store), made measurable:
 *
 * - Its timers (a cache sweep every second, a write-behind commit every second) are never
 *   cleared nor unref'd and it has no `close()`, so a process using it cannot exit, and a
 *   store left running would keep committing while the next subjects are measured.
 *   {@link createPouchAnchor} reaches into it: the `setInterval` and `setTimeout` calls made
 *   while its constructor runs are captured (the sweep and the first commit), and while an
 *   instance is open `globalThis.setTimeout` is wrapped so the commit loop's own re-arming
 *   (`setTimeout(commit, 1000)`, recognised by that `commit` function) is recorded too: any
 *   other caller pays one `Set.has`. `close()` stops the loop, waits for a commit under way,
 *   then destroys its in-memory database (`sessions`, shared by every instance of the
 *   process), so each instance starts empty.
 * - It mutates the session object it is given (`_id`, `$ts`, `$dirty`, later `_rev`) and
 *   caches that very object: every `set`/`touch` gets a shallow copy of the benchmark's
 *   session, as express-session gives it a fresh `req.session` per request.
 * - Its `get` returns the cached document, with `_id`, `_rev`, `$ts` and `$dirty` in it
 *   (they leak into `req.session`): verification compares the session without them.
 * - A write that fails in its commit loop (a 409 conflict) is an unhandled rejection that
 *   stops all later writes. It is caught here and fails the subject at its next operation.
 */

/** The bookkeeping fields session-pouchdb-store adds to every session it returns. */
const BOOKKEEPING = ['_id', '_rev', '$ts', '$dirty'] as const;

/** The parts of session-pouchdb-store reached into. */
interface AnchorStore extends Store {
  pouch: { destroy(): Promise<unknown> };
  sessions: Record<string, unknown>;
}

type AnchorClass = new () => AnchorStore;

type TimerCallback = (...args: unknown[]) => unknown;

/** The timers of one open instance. */
class AnchorTimers {
  readonly intervals: NodeJS.Timeout[] = [];
  /** The instance's `commit` function, which re-arms itself with setTimeout. */
  loop: TimerCallback | undefined;
  commitTimer: NodeJS.Timeout | undefined;
  commitRun: Promise<unknown> | undefined;
  commitError: unknown;
  stopped = false;
}

const originalSetTimeout = globalThis.setTimeout;
const originalSetInterval = globalThis.setInterval;
/** The commit function of each open instance, with its timers. */
const commitLoops = new Map<TimerCallback, AnchorTimers>();

/** Runs one commit of an instance, keeping its promise so close() can wait for it and see it fail. */
function runCommit(commit: TimerCallback, timers: AnchorTimers, args: unknown[]): void {
  const run = Promise.resolve(commit(...args));
  timers.commitRun = run.catch((err: unknown) => {
    timers.commitError ??= err;
  });
}

/** Schedules a commit of an instance with the real setTimeout, unless the instance is closed. */
function scheduleCommit(commit: TimerCallback, timers: AnchorTimers, ms: unknown, args: unknown[]) {
  const timer = originalSetTimeout(() => runCommit(commit, timers, args), ms as number);
  if (timers.stopped) clearTimeout(timer);
  else timers.commitTimer = timer;
  return timer;
}

const wrappedSetTimeout = Object.assign(
  function setTimeout(callback: TimerCallback, ms?: number, ...args: unknown[]) {
    const timers = commitLoops.get(callback);
    if (timers) return scheduleCommit(callback, timers, ms, args);
    return originalSetTimeout(callback, ms, ...args);
  },
  { [promisify.custom]: (originalSetTimeout as unknown as Record<symbol, unknown>)[promisify.custom] },
) as unknown as typeof globalThis.setTimeout;

/** Builds an instance, capturing the timers its constructor starts. */
function construct(AnchorStoreClass: AnchorClass, timers: AnchorTimers): AnchorStore {
  let commit: TimerCallback | undefined;
  globalThis.setInterval = ((callback: TimerCallback, ms?: number, ...args: unknown[]) => {
    const timer = originalSetInterval(callback, ms, ...args);
    timers.intervals.push(timer);
    return timer;
  }) as typeof globalThis.setInterval;
  globalThis.setTimeout = ((callback: TimerCallback, ms?: number, ...args: unknown[]) => {
    if (callback.name !== 'commit') return originalSetTimeout(callback, ms, ...args);
    commit = callback;
    return scheduleCommit(callback, timers, ms, args);
  }) as typeof globalThis.setTimeout;
  try {
    const store = new AnchorStoreClass();
    if (!commit) throw new Error('session-pouchdb-store started no commit timer: not the 0.4.1 code');
    timers.loop = commit;
    commitLoops.set(commit, timers);
    return store;
  } finally {
    globalThis.setInterval = originalSetInterval;
    globalThis.setTimeout = commitLoops.size > 0 ? wrappedSetTimeout : originalSetTimeout;
  }
}

/** Stops an instance's timers and waits for a commit under way. */
async function stopTimers(timers: AnchorTimers): Promise<void> {
  timers.stopped = true;
  for (const timer of timers.intervals) clearInterval(timer);
  if (timers.commitTimer) clearTimeout(timers.commitTimer);
  // A commit under way re-arms itself when its writes are done: that re-arm is dropped.
  await timers.commitRun;
  if (timers.loop) commitLoops.delete(timers.loop);
  if (commitLoops.size === 0) globalThis.setTimeout = originalSetTimeout;
}

/** The session as verification sees it: without the fields the anchor adds. */
function withoutBookkeeping(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of BOOKKEEPING) delete copy[field];
  return copy;
}

/** Builds session-pouchdb-store 0.4.1 with its default in-memory database, ready to be measured. */
export function createPouchAnchor(): SubjectInstance {
  const AnchorStoreClass = require('session-pouchdb-store') as AnchorClass;
  const timers = new AnchorTimers();
  const store = construct(AnchorStoreClass, timers);
  const driven = callbackOps(store);
  const healthy = (): void => {
    if (timers.commitError !== undefined) {
      const why =
        timers.commitError instanceof Error ? timers.commitError.message : String(timers.commitError);
      throw new VerificationFailure(
        `its write-behind commit loop died (${why}): later writes are never stored`,
      );
    }
  };
  // A fresh top-level object per write, as express-session passes a fresh req.session.
  const copyOf = (session: SessionData): SessionData => ({ ...session });
  const ops: StoreOps = {
    ...driven,
    view: withoutBookkeeping,
    set: (item: SessionItem) => {
      healthy();
      return driven.set({ ...item, session: copyOf(item.session) });
    },
    get: (id: string) => {
      healthy();
      return driven.get(id);
    },
  };
  const touch = driven.touch;
  if (touch) {
    ops.touch = (item: SessionItem) => {
      healthy();
      return touch({ ...item, touched: copyOf(item.touched) });
    };
  }
  return {
    store,
    ops,
    close: async () => {
      await stopTimers(timers);
      store.sessions = {};
      // Also cancels its live changes feed.
      await store.pouch.destroy();
    },
  };
}
