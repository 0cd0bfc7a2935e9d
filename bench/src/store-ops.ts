import type { SessionData, Store } from 'express-session';
import type { SessionItem } from './fixtures';

/**
 * What the store-level benchmark calls, the same shape for every subject. Each method
 * resolves when the subject's own API reports completion (its promise or its callback).
 * Optional methods are measured only where the subject has them.
 */
export interface StoreOps {
  /** How the subject is driven, printed with the results. */
  readonly api: 'promise' | 'callback' | 'client';
  set(item: SessionItem): Promise<void>;
  /** Resolves with the stored session (a string for raw clients), or null/undefined when missing. */
  get(id: string): Promise<unknown>;
  touch?(item: SessionItem): Promise<void>;
  /**
   * `get`, then `set` of the very object `get` returned (unchanged, so the stored data stays
   * the item's): what express-session does for a request that changes its session, so a store
   * with `conditionalWrites` takes its conditional save (issue 13). Resolves with what `get`
   * returned, for the caller to check.
   */
  update?(id: string): Promise<unknown>;
  destroy?(id: string): Promise<void>;
  /** Resolves with whatever the subject's `all` returns (an array, or express-session's id map). */
  all?(): Promise<unknown>;
  length?(): Promise<number>;
  clear?(): Promise<void>;
  /**
   * What verification compares, for a store known to add fields of its own to the sessions
   * it returns (session-pouchdb-store's `_id`, `_rev`, `$ts`, `$dirty`). Never called on the
   * timed path: the timed `get` only checks that the session is the one of its id.
   */
  view?(result: unknown): unknown;
}

/** The promise-returning surface of stores whose methods return a promise when called without a callback. */
interface PromiseStore {
  get(sid: string): Promise<unknown>;
  set(sid: string, session: SessionData): Promise<unknown>;
  touch?(sid: string, session: SessionData): Promise<unknown>;
  destroy(sid: string): Promise<unknown>;
  all?(): Promise<unknown>;
  length?(): Promise<unknown>;
  clear?(): Promise<unknown>;
}

/**
 * Drives a store through its promise API (connect-redis 10 and every store built on
 * `@session-stores/core` return a promise when no callback is given).
 */
export function promiseOps(store: Store): StoreOps {
  const s = store as unknown as PromiseStore;
  const ops: StoreOps = {
    api: 'promise',
    set: async (item) => {
      await s.set(item.id, item.session);
    },
    get: (id) => s.get(id),
    update: async (id) => {
      const loaded = await s.get(id);
      if (loaded) await s.set(id, loaded as SessionData);
      return loaded;
    },
    destroy: async (id) => {
      await s.destroy(id);
    },
  };
  if (typeof s.touch === 'function') {
    ops.touch = async (item) => {
      await s.touch?.(item.id, item.touched);
    };
  }
  if (typeof s.all === 'function') ops.all = () => s.all?.() as Promise<unknown>;
  if (typeof s.length === 'function') ops.length = async () => Number(await s.length?.());
  if (typeof s.clear === 'function') {
    ops.clear = async () => {
      await s.clear?.();
    };
  }
  return ops;
}

/** Wraps a Node-style callback call in a promise. */
function viaCallback<T>(call: (done: (err?: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    call((err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** Drives a callback-only store (express-session's MemoryStore), one promise per call. */
export function callbackOps(store: Store): StoreOps {
  const ops: StoreOps = {
    api: 'callback',
    set: async (item) => {
      await viaCallback((done) => store.set(item.id, item.session, done));
    },
    get: (id) => viaCallback((done) => store.get(id, done)),
    destroy: async (id) => {
      await viaCallback((done) => store.destroy(id, done));
    },
  };
  const { touch, all, length, clear } = store;
  if (typeof touch === 'function') {
    ops.touch = async (item) => {
      await viaCallback((done) => touch.call(store, item.id, item.touched, done));
    };
  }
  if (typeof all === 'function') ops.all = () => viaCallback((done) => all.call(store, done));
  if (typeof length === 'function') {
    ops.length = async () => Number(await viaCallback<number>((done) => length.call(store, done)));
  }
  if (typeof clear === 'function') {
    ops.clear = async () => {
      await viaCallback((done) => clear.call(store, done));
    };
  }
  return ops;
}
