import type { EventEmitter } from 'node:events';
import {
  NO_CAPABILITIES,
  OPTIONAL_METHODS,
  type OptionalMethod,
  type StoreCapabilities,
} from '../capabilities';
import { NotSupportedError } from '../errors';
import type { SessionData, SessionWithId } from '../session-data';
import type { SessionStore } from '../session-store';

/**
 * An express-session store that knows nothing of core: an `EventEmitter` (usually a
 * subclass of express-session's `Store`) with callback methods.
 */
export interface PlainStore extends EventEmitter {
  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void;
  destroy(sid: string, callback?: (err?: unknown) => void): void;
  touch?(sid: string, session: SessionData, callback?: (err?: unknown) => void): void;
  all?(callback: (err: unknown, sessions?: unknown) => void): void;
  length?(callback: (err: unknown, length?: number) => void): void;
  clear?(callback?: (err?: unknown) => void): void;
  createSession?(req: object, session: SessionData): SessionData;
}

/**
 * What the user may declare about a plain store beyond the methods the kit finds on it:
 * facts the kit cannot see (`expiresOnServer`, `prefixIsolation` when the factory uses the
 * prefix it is given, `ttlGranularityMs`), and methods to leave out of the run.
 */
export interface PlainCapabilityClaims {
  readonly methods?: Partial<Record<OptionalMethod, boolean>>;
  readonly ttlGranularityMs?: number;
  readonly expiresOnServer?: boolean;
  readonly prefixIsolation?: boolean;
}

/** Whether `storeClass` is a plain express-session store class rather than one built on core. */
export function isPlainStoreClass(storeClass: unknown): boolean {
  const manifest = (storeClass as { capabilities?: { methods?: unknown } } | null)?.capabilities;
  return typeof manifest?.methods !== 'object' || manifest.methods === null;
}

/**
 * The capabilities of a plain store: the optional methods its prototype has (`ids` never:
 * express-session has none), plus what the user claims. Nothing a plain store cannot
 * show is presumed: no server-side expiry, no prefix isolation, no events, whole seconds.
 */
export function plainCapabilities(
  prototype: object | undefined,
  claims: PlainCapabilityClaims = {},
): StoreCapabilities {
  const has = (method: OptionalMethod) =>
    method !== 'ids' && typeof (prototype as Record<string, unknown> | undefined)?.[method] === 'function';
  const methods = Object.fromEntries(
    OPTIONAL_METHODS.map((method) => [method, has(method) && claims.methods?.[method] !== false]),
  ) as Record<OptionalMethod, boolean>;
  return {
    ...NO_CAPABILITIES,
    methods,
    ttlGranularityMs: claims.ttlGranularityMs ?? NO_CAPABILITIES.ttlGranularityMs,
    expiresOnServer: claims.expiresOnServer === true,
    prefixIsolation: claims.prefixIsolation === true,
  };
}

type Settle = (err: unknown, value?: unknown) => void;

/**
 * Gives a plain store the promise API the kit's cases call, without adding any behaviour
 * of core's base class: no TTL rule, no argument checks, no callback bridge. Each call is
 * checked instead: a callback called more than once, or a method that throws, is recorded
 * as a violation and fails the case. Sessions are passed as express-session passes them,
 * built by the store's own `createSession` (a `Cookie` with its `maxAge`).
 */
export class PlainStoreAdapter {
  /** Each broken promise of the callback contract met during the case, one line each. */
  readonly violations: string[] = [];
  /** Every id the case wrote through the store, directly or through express-session. */
  private readonly written = new Set<string>();
  private isClosed = false;

  constructor(
    /** The store under test. */
    readonly raw: PlainStore,
    /** The prefix the factory was given (the store may or may not use it). */
    readonly prefix: string,
    /** The manifest the kit built for the store. */
    readonly capabilities: StoreCapabilities,
    private readonly release: (store: PlainStore) => Promise<void>,
  ) {
    this.watchCalls();
  }

  /**
   * Wraps the store's methods on this instance only, so every call, the cases' and
   * express-session's alike, is watched: a callback called twice or a method that throws
   * is a violation, and the ids written are remembered for {@link removeWritten}.
   */
  private watchCalls(): void {
    const store = this.raw as unknown as Record<string, unknown>;
    for (const method of ['get', 'set', 'destroy', 'touch', 'all', 'length', 'clear'] as const) {
      const original = store[method];
      if (typeof original !== 'function') continue;
      const violations = this.violations;
      const written = this.written;
      const watched = function (this: unknown, ...args: unknown[]): unknown {
        if ((method === 'set' || method === 'touch') && typeof args[0] === 'string') written.add(args[0]);
        const last = args.length - 1;
        const callback = args[last];
        if (typeof callback === 'function') {
          let calls = 0;
          args[last] = (...results: unknown[]) => {
            calls += 1;
            if (calls === 2) violations.push(`${method}() called its callback more than once`);
            if (calls === 1) return (callback as (...rest: unknown[]) => unknown)(...results);
            return undefined;
          };
        }
        try {
          return (original as (...rest: unknown[]) => unknown).apply(this, args);
        } catch (err) {
          violations.push(`${method}() threw instead of calling back: ${String(err)}`);
          throw err;
        }
      };
      Object.defineProperty(store, method, { value: watched, configurable: true, writable: true });
    }
  }

  /** Destroys every session the case wrote, so a run leaves nothing behind (bounded: a hung store is left). */
  async removeWritten(): Promise<void> {
    const ids = [...this.written];
    this.written.clear();
    await Promise.race([
      Promise.allSettled(ids.map((sid) => this.destroy(sid))),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
  }

  /** The store as a `SessionStore` for the cases (they use only what this class provides). */
  asSessionStore(): SessionStore {
    return this as unknown as SessionStore;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get connected(): boolean {
    return !this.isClosed;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.release(this.raw);
  }

  get(sid: string, callback?: Settle): Promise<SessionData | null> | undefined {
    const promise = (
      this.call('get', [sid], undefined, (session) => session ?? null) as Promise<unknown>
    ).catch((err: { code?: unknown }) => {
      // express-session reads an ENOENT error from get() as "no session" (file stores give one).
      if (err?.code === 'ENOENT') return null;
      throw err;
    });
    if (!callback) return promise as Promise<SessionData | null>;
    promise.then(
      (value) => callback(null, value),
      (err) => callback(err),
    );
    return undefined;
  }

  /** Records an id the case wrote behind the store's back (a corrupt record), so it is removed too. */
  remember(sid: string): void {
    this.written.add(sid);
  }

  set(sid: string, session: SessionData, callback?: Settle): Promise<void> | undefined {
    return this.call('set', [sid, this.asExpressSession(sid, session)], callback, nothing) as never;
  }

  destroy(sid: string, callback?: Settle): Promise<void> | undefined {
    return this.call('destroy', [sid], callback, nothing) as never;
  }

  touch(sid: string, session: SessionData, callback?: Settle): Promise<void> | undefined {
    return this.call('touch', [sid, this.asExpressSession(sid, session)], callback, nothing) as never;
  }

  all(callback?: Settle): Promise<SessionWithId[]> | undefined {
    return this.call('all', [], callback, listSessions) as never;
  }

  length(callback?: Settle): Promise<number> | undefined {
    return this.call('length', [], callback) as never;
  }

  clear(callback?: Settle): Promise<void> | undefined {
    return this.call('clear', [], callback, nothing) as never;
  }

  ids(callback?: Settle): Promise<string[]> | undefined {
    return this.call('ids', [], callback) as never;
  }

  createSession(req: object, session: SessionData): SessionData {
    return this.raw.createSession ? this.raw.createSession(req, session) : session;
  }

  // The cases listen to and emit the store's own events (express-session's ready gate).
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.raw.on(event, listener);
    return this;
  }

  once(event: string, listener: (...args: unknown[]) => void): this {
    this.raw.once(event, listener);
    return this;
  }

  off(event: string, listener: (...args: unknown[]) => void): this {
    this.raw.off(event, listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): boolean {
    return this.raw.emit(event, ...args);
  }

  /** A copy of `session` as express-session hands it to a store: a Session with a real Cookie. */
  private asExpressSession(sid: string, session: SessionData): SessionData {
    if (!this.raw.createSession || typeof session !== 'object' || session === null || !session.cookie) {
      return session;
    }
    const req = { sessionID: sid } as { sessionID: string; session?: unknown };
    // A JSON copy, as express-session gets it from a store: createSession turns the ISO
    // expiry back into a Date of the store's realm (structuredClone would make a Date that
    // express-session's instanceof checks miss under jest's sandbox).
    return this.raw.createSession(req, JSON.parse(JSON.stringify(session)));
  }

  /**
   * Calls a method of the plain store with a callback (its calls are counted by the
   * watch). Without a `callback` it returns a promise of the first call's outcome.
   */
  private call(
    method: OptionalMethod | 'get' | 'set' | 'destroy',
    args: unknown[],
    callback: Settle | undefined,
    map: (value: unknown) => unknown = (value) => value,
  ): Promise<unknown> | undefined {
    const implementation = (this.raw as unknown as Record<string, unknown>)[method];
    // express-session stores have no ids(): the kit never calls it on one, but a case may.
    const missing = typeof implementation !== 'function' || method === 'ids';
    let settle: Settle = () => undefined;
    const promise = new Promise<unknown>((resolve, reject) => {
      settle = (err, value) => (err ? reject(err) : resolve(map(value)));
    });
    if (missing) {
      settle(new NotSupportedError(method, this.raw.constructor?.name ?? 'the store'));
    } else {
      try {
        (implementation as (...rest: unknown[]) => unknown).apply(this.raw, [...args, settle]);
      } catch (err) {
        settle(err);
      }
    }
    if (!callback) return promise;
    promise.then(
      (value) => callback(null, value),
      (err) => callback(err),
    );
    return undefined;
  }
}

/** What set, destroy, touch and clear resolve with, whatever the store passed its callback besides no error. */
const nothing = (): undefined => undefined;

/** `all()`'s result as the cases read it: an array of sessions with their `id`, from an object or an array. */
function listSessions(value: unknown): SessionWithId[] {
  if (Array.isArray(value)) return value as SessionWithId[];
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, SessionData>).map(
      ([id, session]) => ({ ...session, id }) as SessionWithId,
    );
  }
  return [];
}
