import type { Request } from 'express';
import expressSession from 'express-session';
import { bridgeCallback, type Callback, rethrowAsync } from './callback';
import { NO_CAPABILITIES, type StoreCapabilities } from './capabilities';
import {
  BackendError,
  BackendUnavailableError,
  CorruptSessionError,
  InvalidArgumentError,
  InvalidOptionError,
  NotSupportedError,
  SessionStoreError,
  StoreClosedError,
  WriteConflictError,
} from './errors';
import { optionalBoolean, optionalObject } from './option-checks';
import {
  type ConditionalWriteResult,
  type LoadedSession,
  loadedOf,
  MAX_SAVE_ATTEMPTS,
  MERGE_FIRST,
  markLoaded,
  mergeOverlapping,
} from './overlap';
import { validatePrefix } from './prefix';
import { decodeSession, encodeSession, type Serializer, validateSerializer } from './serializer';
import type { SessionData, SessionWithId } from './session-data';
import {
  isObserved,
  type StoreChannel,
  type StoreOperation,
  type StoreOperationContext,
  storeChannel,
  traceOperation,
} from './store-channels';
import { cookieExpiry, touchIsCovered, validateTouchMargin, withMargin } from './touch-margin';
import { resolveTtl, type TtlSettings, validateTtlSettings, type WriteTtl } from './ttl';
import {
  checkUser,
  type DestroyAllOfOptions,
  exceptIds,
  expiresOf,
  type UserIndexOptions,
  type UserIndexSettings,
  type UserLink,
  type UserSession,
  userOfOrUnknown,
  userOfSession,
  validateUserIndexOptions,
} from './user-index';

/** Options every store accepts, on top of its backend's own. */
export interface SessionStoreOptions extends TtlSettings, UserIndexOptions {
  /** Prepended to every session id to form the backend key. Each backend documents its default. */
  prefix?: string | undefined;
  /** Make `touch()` a no-op: unmodified sessions then keep the TTL of their last save. Default `false`. */
  disableTouch?: boolean | undefined;
  /** Encodes sessions for storage. Default JSON. `parse` may be async. */
  serializer?: Serializer | undefined;
  /**
   * What `get()` does with stored data it cannot decode: `'error'` (default) reports an
   * `ERR_SESSION_CORRUPT` error; `'miss'` treats it as no session, so the user gets a new one.
   */
  onCorrupt?: 'error' | 'miss' | undefined;
  /**
   * Save a loaded session over whatever is stored, as every other store does: the last
   * request to finish wins, and a save can bring back a session that another request
   * destroyed. Default `false`: on stores whose capabilities declare `conditionalWrites`,
   * overlapping requests merge their changes and a destroyed session stays destroyed.
   */
  lastWriteWins?: boolean | undefined;
  /**
   * Do not write touches that change (almost) nothing: a share of the session's lifetime,
   * from 0 to 0.5. With `0.1`, every save and every touch that is written gives the backend a
   * TTL 10% longer than the cookie's (the stored `cookie.expires` stays the cookie's), and a
   * touch is skipped while the backend already keeps the session at least until the expiry the
   * touch asks for and the stored cookie trails the new one by at most 10% of the lifetime. No
   * session then expires earlier than without the option (one race, bounded by a request's
   * duration, is in the README); each may stay on the server up to
   * that share of its lifetime after its cookie expires. Skips need a backend that reports the
   * stored expiry when it reads (see its README); elsewhere every touch is written. Default `0`:
   * every touch is written and the server TTL is exactly the cookie's.
   */
  touchMargin?: number | undefined;
}

/** The names of {@link SessionStoreOptions}, for backends that reject option names they do not know. */
export const SESSION_STORE_OPTION_NAMES = [
  'prefix',
  'ttl',
  'disableTTL',
  'disableTouch',
  'serializer',
  'onCorrupt',
  'lastWriteWins',
  'userOf',
  'maxSessionsPerUser',
  'touchMargin',
] as const satisfies readonly (keyof SessionStoreOptions)[];
// Fails to compile when an option is added to SessionStoreOptions but not to the list above.
const everyOptionNamed: [
  Exclude<keyof SessionStoreOptions, (typeof SESSION_STORE_OPTION_NAMES)[number]>,
] extends [never]
  ? true
  : never = true;
void everyOptionNamed;

/** How many ids `all()` and `clear()` handle per backend round trip. */
export const BATCH_SIZE = 100;

/**
 * How many batches `all()` reads at once: enough to keep a networked backend busy, few
 * enough to stay polite. (Reading while the scan went on measured no faster, so it reads
 * after the scan.)
 */
const ALL_READ_CONCURRENCY = 8;

const ExpressStore = expressSession.Store;

/**
 * The base class of every store in this project. It extends express-session's
 * `Store` (so `regenerate`, `load` and `createSession` come with it) and provides
 * the public API once for all backends: optional callbacks and promises, the TTL
 * rule, the serializer, the key prefix, typed errors, events and `close()`.
 *
 * A backend implements the protected primitives (`readSession`, `writeSession`,
 * `removeSession`, and where it can `refreshSession`, `scanIds`, ...) and declares
 * what works in its static `capabilities`.
 */
export abstract class SessionStore extends ExpressStore {
  /** What this store class supports; the conformance kit reads it. */
  static readonly capabilities: StoreCapabilities = NO_CAPABILITIES;
  /** The kind of database, as published on the store channels (`redis`, `aerospike`, ...). */
  static readonly backend: string = 'unknown';

  /** The key prefix in use. */
  readonly prefix: string;
  /** The TTL options, validated. */
  protected readonly ttlSettings: TtlSettings;
  /** Whether `touch()` is a no-op. */
  protected readonly disableTouch: boolean;
  /**
   * The `touchMargin` option (0 when off). A backend whose read can report the stored expiry
   * cheaply does so (to {@link rememberLoaded}) only when it is above 0.
   */
  protected readonly touchMargin: number;
  /** The serializer in use. */
  protected readonly serializer: Serializer;
  private readonly onCorrupt: 'error' | 'miss';
  /** Whether saves of loaded sessions are conditional (the backend can, and the user did not opt out). */
  private readonly savesConditionally: boolean;
  /** The per-user options (`userOf`, `maxSessionsPerUser`), validated; `undefined` when `userOf` is not set. */
  protected readonly userIndex: UserIndexSettings | undefined;
  /**
   * The last queued save of a loaded session, by id. Saves of one id from this process run
   * one after another, so each conflicts at most with the one before it instead of all
   * overlapping saves retrying against each other.
   */
  private readonly savesInFlight = new Map<string, Promise<void>>();
  private isConnected = false;
  private hasConnected = false;
  /** The pending `ready()` calls: woken with nothing on connect, or with the error that ends them. */
  private readonly readyWaiters = new Set<(failure?: Error) => void>();
  private isClosed = false;

  /**
   * @param options the user's options (validated here; invalid ones throw `InvalidOptionError`).
   * @param defaults the backend's defaults: `prefix`, the key prefix used when the user sets none.
   */
  constructor(options: SessionStoreOptions = {}, defaults: { readonly prefix: string } = { prefix: '' }) {
    super();
    optionalObject(options, 'options');
    validateTtlSettings(options);
    optionalBoolean(options.disableTouch, 'disableTouch');
    if (options.onCorrupt !== undefined && options.onCorrupt !== 'error' && options.onCorrupt !== 'miss') {
      throw new InvalidOptionError('onCorrupt', "expected 'error' or 'miss'");
    }
    if (options.lastWriteWins !== undefined && typeof options.lastWriteWins !== 'boolean') {
      throw new InvalidOptionError('lastWriteWins', 'expected a boolean');
    }
    this.prefix = validatePrefix(options.prefix, defaults.prefix);
    this.ttlSettings = { ttl: options.ttl, disableTTL: options.disableTTL === true };
    this.disableTouch = options.disableTouch === true;
    this.touchMargin = validateTouchMargin(options.touchMargin);
    this.serializer = validateSerializer(options.serializer);
    this.onCorrupt = options.onCorrupt ?? 'error';
    this.savesConditionally = this.capabilities.conditionalWrites === true && options.lastWriteWins !== true;
    this.userIndex = validateUserIndexOptions(
      options,
      this.capabilities.userSessions === true,
      this.constructor.name,
    );
  }

  /** This store's capabilities manifest (the static one of its class). */
  get capabilities(): StoreCapabilities {
    return (this.constructor as typeof SessionStore).capabilities;
  }

  /** Whether the backend is currently reachable (as far as the store knows). */
  get connected(): boolean {
    return this.isConnected;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  // ---- backend primitives -------------------------------------------------

  /** Reads one session; `null` when there is none (or it has expired). Use {@link decode} on stored text. */
  protected abstract readSession(sid: string): Promise<SessionData | null>;
  /**
   * Writes one session with the given TTL, replacing any existing one. Use {@link encode} for text.
   * `link` is given when the `userOf` option is set (only on classes declaring `userSessions`):
   * the write updates the user index as it says, in the same step where the backend can.
   */
  protected abstract writeSession(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    link?: UserLink,
  ): Promise<void>;
  /** Deletes one session; deleting a missing one is not an error. */
  protected abstract removeSession(sid: string): Promise<void>;

  /**
   * Sets a new TTL and stores `session.cookie` in place of the stored cookie, only
   * if the session exists: a missing session must not be created. `link` (with `userOf` set,
   * when the session names a user) lets a backend whose index entries expire extend the entry.
   */
  protected refreshSession(
    _sid: string,
    _session: SessionData,
    _ttl: WriteTtl,
    _link?: UserLink,
  ): Promise<void> {
    return Promise.reject(new NotSupportedError('touch', this.constructor.name));
  }

  /**
   * Writes a session only if the stored copy is still at `version` (the token the backend
   * gave to {@link rememberLoaded} when it read it), in one atomic step where the backend
   * has one. Never creates a missing session. Called only when the class's capabilities
   * declare `conditionalWrites`. `link` as for {@link writeSession}, applied only when it writes.
   */
  protected writeSessionIf(
    _sid: string,
    _session: SessionData,
    _ttl: WriteTtl,
    _version: unknown,
    _link?: UserLink,
  ): Promise<ConditionalWriteResult> {
    return Promise.reject(new NotSupportedError('conditional write', this.constructor.name));
  }

  /**
   * The session ids `user`'s index lists. It may still list sessions that expired, were
   * destroyed or changed user: the base class reads each one and keeps only the live
   * sessions of `user`, then drops the others with {@link unindexSessions}. Called only on
   * classes declaring `userSessions`.
   */
  protected userSessionIds(_user: string): Promise<string[]> {
    return Promise.reject(new NotSupportedError('sessionsOf', this.constructor.name));
  }

  /** Removes ids from `user`'s index (not the sessions themselves). */
  protected unindexSessions(_user: string, _sids: readonly string[]): Promise<void> {
    return Promise.reject(new NotSupportedError('sessionsOf', this.constructor.name));
  }

  /** Yields the ids (prefix removed) of this store's sessions, in batches; duplicates are allowed. */
  // biome-ignore lint/correctness/useYield: the default reports that the backend cannot enumerate
  protected async *scanIds(): AsyncIterable<string[]> {
    throw new NotSupportedError('scan', this.constructor.name);
  }

  /** How many ids `all()` hands to one {@link readSessions} call; backends with a batch read raise it. */
  protected get readBatchSize(): number {
    return BATCH_SIZE;
  }

  /** Reads several sessions; the default reads them one by one, in parallel. */
  protected readSessions(sids: readonly string[]): Promise<Array<SessionData | null>> {
    return Promise.all(sids.map((sid) => this.readSession(sid)));
  }

  /** Deletes several sessions; the default deletes them one by one, in parallel. */
  protected async removeSessions(sids: readonly string[]): Promise<void> {
    await Promise.all(sids.map((sid) => this.removeSession(sid)));
  }

  /** Deletes every session of this store's prefix; the default deletes scanned ids batch by batch. */
  protected async clearSessions(): Promise<void> {
    for await (const batch of this.scanIds()) {
      if (batch.length > 0) await this.removeSessions(batch);
    }
  }

  /** Counts this store's sessions; the default counts distinct scanned ids. */
  protected async countSessions(): Promise<number> {
    return (await this.collectIds()).length;
  }

  /** Releases the backend (connections, timers). Called once by `close()`. */
  protected async closeBackend(): Promise<void> {}

  /** Maps an error thrown by a primitive to a typed store error. Backends refine it. */
  protected classifyError(err: unknown): SessionStoreError {
    if (err instanceof SessionStoreError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new BackendError(`${this.constructor.name}: ${message}`, { cause: err });
  }

  // ---- helpers for backends -----------------------------------------------

  /** The backend key of a session id. */
  protected key(sid: string): string {
    return this.prefix + sid;
  }

  /** Encodes a session with the configured serializer (`ERR_SESSION_SERIALIZE` on failure). */
  protected encode(sid: string, session: SessionData): string {
    return encodeSession(this.serializer, sid, session);
  }

  /**
   * Decodes stored text: the session, or `null` for corrupt data with `onCorrupt: 'miss'`;
   * corrupt data is otherwise an `ERR_SESSION_CORRUPT` error. A promise only when the
   * serializer's `parse` returns one, so the default JSON costs none: await it, or call it
   * where a synchronous throw becomes a rejection (an async function, inside `then`).
   */
  protected decode(sid: string, text: string): SessionData | null | Promise<SessionData | null> {
    let decoded: SessionData | Promise<SessionData>;
    try {
      decoded = decodeSession(this.serializer, sid, text);
    } catch (err) {
      return this.corruptData(sid, err instanceof CorruptSessionError ? err.cause : err);
    }
    if (decoded instanceof Promise) {
      return decoded.then(undefined, (err: unknown) =>
        this.corruptData(sid, err instanceof CorruptSessionError ? err.cause : err),
      );
    }
    return decoded;
  }

  /**
   * Handles stored data that cannot be a session (for backends that find it outside
   * {@link decode}): throws `ERR_SESSION_CORRUPT`, or returns `null` with `onCorrupt: 'miss'`.
   */
  protected corruptData(sid: string, cause?: unknown): null {
    if (this.onCorrupt === 'miss') return null;
    throw new CorruptSessionError(sid, cause);
  }

  /**
   * Called by a backend that declares `conditionalWrites` on each session it reads, with
   * what {@link decode} returned: records the stored copy's version (and the stored text the
   * session was decoded from, when the backend has it, else a JSON snapshot is taken), so a
   * later `set()` of this session, or of the `req.session` express-session makes from it,
   * writes only over that version. With `touchMargin`, a backend that knows when the stored
   * copy expires passes it as `expiresAt` (epoch ms, no later than the real expiry; `Infinity`
   * for never), so a touch of this session can be skipped. Returns what it was given, a
   * promise only if it got one.
   */
  protected rememberLoaded(
    sid: string,
    decoded: SessionData | null | Promise<SessionData | null>,
    version: unknown,
    text?: string,
    expiresAt?: number,
  ): SessionData | null | Promise<SessionData | null> {
    if (!this.savesConditionally && this.touchMargin === 0) return decoded;
    if (decoded instanceof Promise)
      return decoded.then((session) => this.rememberLoaded(sid, session, version, text, expiresAt));
    if (decoded) {
      const knowsExpiry = this.touchMargin > 0 && expiresAt !== undefined;
      markLoaded(decoded, {
        store: this,
        sid,
        version,
        base: text === undefined ? { json: JSON.stringify(decoded) } : { text },
        user: this.userIndex ? userOfOrUnknown(this.userIndex.userOf, decoded) : undefined,
        ...(knowsExpiry ? { expiresAt, cookieExpiresAt: cookieExpiry(decoded) } : {}),
      });
    }
    return decoded;
  }

  /**
   * Records the backend's reachability and emits `disconnect` / `connect` on each later
   * change. The first connection is silent: express-session (like any listener) presumes a
   * new store ready, so announcing it would only undo a `disconnect` heard meanwhile.
   */
  protected setConnected(connected: boolean): void {
    if (this.isClosed && connected) return;
    if (connected === this.isConnected) return;
    this.isConnected = connected;
    if (connected) {
      for (const wake of this.readyWaiters) wake();
      this.readyWaiters.clear();
      if (!this.hasConnected) {
        this.hasConnected = true;
        return;
      }
    }
    const event = connected ? 'connect' : 'disconnect';
    // Deferred (in order) so no listener runs inside the backend client's own event handler.
    process.nextTick(() => this.emit(event));
  }

  /**
   * An exception thrown by a user's callback goes to the store's `error` listeners
   * when there are any, and is otherwise rethrown as an uncaught exception.
   */
  private readonly onCallbackError = (thrown: unknown): void => {
    if (this.listenerCount('error') > 0) this.emit('error', thrown);
    else rethrowAsync(thrown);
  };

  /** Emits `error` only when someone listens, so a backend hiccup never crashes an app. */
  protected reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  // ---- public API -------------------------------------------------------------

  /** Resolves once the backend is reachable; rejects with `ERR_BACKEND_UNAVAILABLE` after `timeoutMs`. */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.isClosed) return Promise.reject(new StoreClosedError());
    if (this.isConnected) return Promise.resolve();
    // Not the `connect` event: the first connection emits none.
    return new Promise((resolve, reject) => {
      const wake = (failure?: Error): void => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(wake);
        reject(
          new BackendUnavailableError(`${this.constructor.name} did not connect within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.readyWaiters.add(wake);
    });
  }

  /** Fetches a session; `null` when there is none. */
  get(sid: string): Promise<SessionData | null>;
  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> | undefined {
    return bridgeCallback(
      this.guardSid('get', sid, () => this.readSession(sid)),
      callback,
      this.onCallbackError,
    );
  }

  /**
   * express-session builds `req.session` from what `get()` returned through this method;
   * the new object inherits what the store remembers of the loaded one.
   */
  override createSession(
    req: Request,
    session: SessionData,
  ): ReturnType<expressSession.Store['createSession']> {
    const loaded = loadedOf(session, this);
    const created = super.createSession(req, session);
    if (loaded) markLoaded(created, loaded);
    return created;
  }

  /**
   * Stores a session, applying the TTL rule; an already expired session is deleted instead.
   * A session this store loaded is saved only over the version it loaded (see
   * `lastWriteWins`): if another request changed it meanwhile, the changes are merged; if
   * it was destroyed meanwhile, nothing is written.
   */
  set(sid: string, session: SessionData): Promise<void>;
  set(sid: string, session: SessionData, callback: (err?: unknown) => void): void;
  set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.guardSid('set', sid, () => {
        checkSession(session);
        const resolved = resolveTtl(session, this.ttlSettings);
        if (resolved.kind === 'expired') return this.removeSession(sid);
        const ttl = withMargin(resolved, this.touchMargin);
        const loaded = this.savesConditionally ? loadedOf(session, this) : undefined;
        const former = loaded?.sid === sid ? loaded : undefined;
        // The user is named before anything is written, so a failing userOf leaves the store as it was.
        const link = this.userIndex ? this.linkOf(sid, session, former) : undefined;
        const written = former
          ? this.queueSave(sid, () => this.saveLoaded(sid, session, ttl, former, link))
          : this.writeSession(sid, session, ttl, link);
        const user = link?.user;
        // The cap is checked when a session joins a user, not on every save of one already theirs.
        return user !== undefined && this.userIndex?.maxSessionsPerUser !== undefined && former?.user !== user
          ? written.then(() => this.enforceCap(user, sid))
          : written;
      }),
      callback,
      this.onCallbackError,
    );
  }

  /** Deletes a session; deleting a missing one succeeds. The callback is optional (express-session may omit it). */
  destroy(sid: string): Promise<void>;
  destroy(sid: string, callback: (err?: unknown) => void): void;
  destroy(sid: string, callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.guardSid('destroy', sid, () => this.removeSession(sid)),
      callback,
      this.onCallbackError,
    );
  }

  /**
   * Marks a session as active: extends its TTL and stores the session's refreshed
   * `cookie`, without touching the rest of the data. A missing session stays missing.
   */
  override touch(sid: string, session: SessionData): Promise<void>;
  override touch(sid: string, session: SessionData, callback: (err?: unknown) => void): void;
  override touch(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.guardSid('touch', sid, () => {
        checkSession(session);
        if (!this.capabilities.methods.touch) throw new NotSupportedError('touch', this.constructor.name);
        if (this.disableTouch) return Promise.resolve();
        const ttl = resolveTtl(session, this.ttlSettings);
        if (ttl.kind === 'expired') return this.removeSession(sid);
        const user = this.userIndex ? userOfOrUnknown(this.userIndex.userOf, session) : undefined;
        const link = user === undefined ? undefined : { user, formerUser: undefined };
        if (this.touchMargin !== 0) {
          // touchMargin: a touch the stored copy already covers is not written (see the option).
          const loaded = loadedOf(session, this);
          if (loaded?.sid === sid && touchIsCovered(loaded, ttl, this.touchMargin, cookieExpiry(session))) {
            return Promise.resolve();
          }
          return this.refreshSession(sid, session, withMargin(ttl, this.touchMargin), link);
        }
        return link === undefined
          ? this.refreshSession(sid, session, ttl)
          : this.refreshSession(sid, session, ttl, link);
      }),
      callback,
      this.onCallbackError,
    );
  }

  /** Every session of this store's prefix, each with its `id`. */
  override all(): Promise<SessionWithId[]>;
  override all(callback: (err: unknown, sessions?: SessionWithId[]) => void): void;
  override all(callback?: Callback<SessionWithId[]>): Promise<SessionWithId[]> | undefined {
    return bridgeCallback(
      this.guard('all', async () => {
        this.requireMethod('all');
        const ids = await this.collectIds();
        const size = this.readBatchSize;
        const read: SessionWithId[][] = [];
        let next = 0;
        // A few batch reads in flight, each taking the next batch; the first failure stops them all.
        const reader = async (): Promise<void> => {
          for (let start = next; start < ids.length; start = next) {
            next += size;
            const batch = ids.slice(start, start + size);
            const sessions = await this.readSessions(batch);
            // A null is a session that expired or was deleted since the scan.
            read[start / size] = sessions.flatMap((session, position) =>
              session ? [Object.assign(session, { id: batch[position] as string })] : [],
            );
          }
        };
        const stopOnFailure = (error: unknown): never => {
          next = ids.length;
          throw error;
        };
        await Promise.all(Array.from({ length: ALL_READ_CONCURRENCY }, () => reader().catch(stopOnFailure)));
        return read.flat();
      }),
      callback,
      this.onCallbackError,
    );
  }

  /** The ids of this store's sessions (prefix removed). */
  ids(): Promise<string[]>;
  ids(callback: (err: unknown, ids?: string[]) => void): void;
  ids(callback?: Callback<string[]>): Promise<string[]> | undefined {
    return bridgeCallback(
      this.guard('ids', () => {
        this.requireMethod('ids');
        return this.collectIds();
      }),
      callback,
      this.onCallbackError,
    );
  }

  /** How many sessions this store's prefix holds. */
  override length(): Promise<number>;
  override length(callback: (err: unknown, length?: number) => void): void;
  override length(callback?: Callback<number>): Promise<number> | undefined {
    return bridgeCallback(
      this.guard('length', () => {
        this.requireMethod('length');
        return this.countSessions();
      }),
      callback,
      this.onCallbackError,
    );
  }

  /** Deletes every session of this store's prefix, and nothing else. */
  override clear(): Promise<void>;
  override clear(callback: (err?: unknown) => void): void;
  override clear(callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.guard('clear', async () => {
        this.requireMethod('clear');
        await this.clearSessions();
      }),
      callback,
      this.onCallbackError,
    );
  }

  /**
   * The live sessions of `user` (by the `userOf` option): never an expired or destroyed
   * session, nor one that now belongs to someone else, even while the index still lists it.
   */
  sessionsOf(user: string): Promise<UserSession[]>;
  sessionsOf(user: string, callback: (err: unknown, sessions?: UserSession[]) => void): void;
  sessionsOf(user: string, callback?: Callback<UserSession[]>): Promise<UserSession[]> | undefined {
    return bridgeCallback(
      this.guard('sessionsOf', () => {
        this.requireUserIndex('sessionsOf');
        checkUser(user);
        return this.liveSessionsOf(user);
      }),
      callback,
      this.onCallbackError,
    );
  }

  /**
   * Ends every session of `user`, or all but `options.except` ("log out everywhere else"),
   * and resolves with how many it ended. A request of an ended session that is still in
   * flight cannot bring it back where saves are conditional (see `lastWriteWins`).
   */
  destroyAllOf(user: string, options?: DestroyAllOfOptions): Promise<number>;
  destroyAllOf(user: string, callback: (err: unknown, count?: number) => void): void;
  destroyAllOf(
    user: string,
    options: DestroyAllOfOptions | undefined,
    callback: (err: unknown, count?: number) => void,
  ): void;
  destroyAllOf(
    user: string,
    optionsOrCallback?: DestroyAllOfOptions | Callback<number>,
    callback?: Callback<number>,
  ): Promise<number> | undefined {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    return bridgeCallback(
      this.guard('destroyAllOf', async () => {
        this.requireUserIndex('destroyAllOf');
        checkUser(user);
        const keep = exceptIds(options);
        const live = await this.liveSessionsOf(user);
        const doomed = live.filter((entry) => !keep.has(entry.id)).map((entry) => entry.id);
        await this.endSessionsOf(user, doomed);
        return doomed.length;
      }),
      done,
      this.onCallbackError,
    );
  }

  /** Releases the backend. Later calls fail with `ERR_STORE_CLOSED`. Emits `disconnect`. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    // A pending ready() ends now, and its timer with it (it would otherwise hold the process).
    for (const wake of this.readyWaiters) wake(new StoreClosedError());
    this.readyWaiters.clear();
    try {
      await this.closeBackend();
    } finally {
      if (this.isConnected) {
        this.isConnected = false;
        process.nextTick(() => this.emit('disconnect'));
      }
    }
  }

  // ---- internals ------------------------------------------------------------------

  // guardSid and guard are on every call's path: plain functions chaining one reaction,
  // not async functions (each async frame and each awaited promise costs throughput).

  /** Runs an operation on one session id: checks the id, then as {@link guard}. */
  private guardSid<T>(operation: StoreOperation, sid: unknown, run: () => Promise<T>): Promise<T> {
    const channel = this.observedChannel(operation);
    if (channel === undefined) return this.runOnSid(sid, run);
    return traceOperation(channel, this.operationContext(operation), () => this.runOnSid(sid, run));
  }

  /**
   * Runs a public operation with the closed check and error classification, published on
   * its store channel when someone listens; never throws synchronously.
   */
  private guard<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    const channel = this.observedChannel(operation);
    if (channel === undefined) return this.runGuarded(run);
    return traceOperation(channel, this.operationContext(operation), () => this.runGuarded(run));
  }

  /**
   * The store channel of `operation` when anyone listens to it, else `undefined` (then
   * nothing is built for telemetry). The one point where telemetry meets every operation;
   * backends leave it alone (the benchmark overrides it to measure the store without it).
   */
  protected observedChannel(operation: StoreOperation): StoreChannel | undefined {
    const channel = storeChannel(operation);
    return isObserved(channel) ? channel : undefined;
  }

  private operationContext(operation: StoreOperation): StoreOperationContext {
    const backend = (this.constructor as typeof SessionStore).backend;
    return { store: this.constructor.name, operation, backend, prefix: this.prefix };
  }

  private runOnSid<T>(sid: unknown, run: () => Promise<T>): Promise<T> {
    try {
      checkSid(sid);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.runGuarded(run);
  }

  private runGuarded<T>(operation: () => Promise<T>): Promise<T> {
    if (this.isClosed) return Promise.reject(new StoreClosedError());
    let result: Promise<T>;
    try {
      result = operation();
    } catch (err) {
      result = Promise.reject(err);
    }
    // A thenable that is not a native promise (or a plain value) is adopted as await would.
    return (result instanceof Promise ? result : Promise.resolve(result)).then(
      undefined,
      this.rethrowClassified,
    );
  }

  private readonly rethrowClassified = (err: unknown): never => {
    throw this.classifyError(err);
  };

  private requireUserIndex(method: string): void {
    if (!this.capabilities.userSessions) throw new NotSupportedError(method, this.constructor.name);
    if (!this.userIndex) {
      throw new InvalidOptionError(
        'userOf',
        `${method}() needs the userOf option, which names each session's user`,
      );
    }
  }

  /** The user-index change a write of `session` makes, given what was loaded under its id. */
  private linkOf(sid: string, session: SessionData, loaded: LoadedSession | undefined): UserLink {
    const user = userOfSession((this.userIndex as UserIndexSettings).userOf, sid, session);
    const formerUser = loaded?.user !== undefined && loaded.user !== user ? loaded.user : undefined;
    return { user, formerUser };
  }

  /** Reads the sessions `user`'s index lists, keeps the live ones still theirs, and drops the rest from the index. */
  private async liveSessionsOf(user: string): Promise<UserSession[]> {
    const { userOf } = this.userIndex as UserIndexSettings;
    const ids = [...new Set(await this.userSessionIds(user))];
    const live: UserSession[] = [];
    const dead: string[] = [];
    const size = this.readBatchSize;
    for (let start = 0; start < ids.length; start += size) {
      const batch = ids.slice(start, start + size);
      const sessions = await this.readSessions(batch);
      batch.forEach((id, position) => {
        const session = sessions[position];
        if (session && userOfOrUnknown(userOf, session) === user) {
          live.push({ id, session, expires: expiresOf(session) });
        } else {
          dead.push(id);
        }
      });
    }
    // Pruning is housekeeping: the answer is right without it, so a failure is only reported.
    if (dead.length > 0) await this.unindexSessions(user, dead).catch((err) => this.reportError(err));
    return live;
  }

  /** Deletes sessions of `user` and their index entries. */
  private async endSessionsOf(user: string, sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    await this.removeSessions(sids);
    await this.unindexSessions(user, sids).catch((err) => this.reportError(err));
  }

  /** Ends `user`'s sessions beyond `maxSessionsPerUser`, those whose cookies expire first, never `sid`. */
  private async enforceCap(user: string, sid: string): Promise<void> {
    const max = (this.userIndex as UserIndexSettings).maxSessionsPerUser as number;
    const live = await this.liveSessionsOf(user);
    if (live.length <= max) return;
    const expiry = (entry: UserSession): number => entry.expires?.getTime() ?? Number.POSITIVE_INFINITY;
    const others = live.filter((entry) => entry.id !== sid).sort((a, b) => expiry(a) - expiry(b));
    const doomed = others.slice(0, live.length - max).map((entry) => entry.id);
    await this.endSessionsOf(user, doomed);
  }

  private requireMethod(method: 'all' | 'ids' | 'length' | 'clear'): void {
    if (!this.capabilities.methods[method]) throw new NotSupportedError(method, this.constructor.name);
  }

  /** Runs a save after the saves of the same id queued before it. */
  private queueSave(sid: string, save: () => Promise<void>): Promise<void> {
    const previous = this.savesInFlight.get(sid);
    const run = previous ? previous.then(save) : save();
    const settled = run.then(noop, noop);
    this.savesInFlight.set(sid, settled);
    settled.then(() => {
      if (this.savesInFlight.get(sid) === settled) this.savesInFlight.delete(sid);
    });
    return run;
  }

  /** Saves a loaded session with conditional writes, merging with other requests' changes until one lands. */
  private async saveLoaded(
    sid: string,
    session: SessionData,
    ttl: WriteTtl,
    loaded: LoadedSession,
    firstLink: UserLink | undefined,
  ): Promise<void> {
    let link = firstLink;
    let toWrite = session;
    let writeTtl = ttl;
    let version = loaded.version;
    let base: SessionData | undefined;
    for (let attempt = 1; ; attempt += 1) {
      if (version !== MERGE_FIRST) {
        const result = await this.writeSessionIf(sid, toWrite, writeTtl, version, link);
        if (result === 'gone') {
          markLoaded(session, undefined);
          return;
        }
        if (result !== 'changed') {
          // A later save of this object (same request) starts from what it holds now. After a
          // merge the stored copy also holds other requests' keys, so that save merges too.
          const merged = toWrite !== session;
          const text = merged ? undefined : result.text;
          markLoaded(session, {
            store: this,
            sid,
            version: merged ? MERGE_FIRST : result.version,
            base: text === undefined ? { json: JSON.stringify(session) } : { text },
            user: link?.user,
          });
          return;
        }
        if (attempt >= MAX_SAVE_ATTEMPTS) throw new WriteConflictError(sid, attempt);
        // A random pause spreads the writers that collided, so each retry is likelier to land.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
      }
      base ??= await this.loadedBase(sid, loaded);
      const stored = await this.readSession(sid);
      const current = stored ? loadedOf(stored, this) : undefined;
      if (!stored || !current) {
        markLoaded(session, undefined);
        return;
      }
      toWrite = mergeOverlapping(base, session, stored);
      // The merged copy may name another user than either side alone; the stored copy's user is the former one.
      if (this.userIndex) link = this.linkOf(sid, toWrite, current);
      const mergedTtl = resolveTtl(toWrite, this.ttlSettings);
      if (mergedTtl.kind === 'expired') return;
      writeTtl = withMargin(mergedTtl, this.touchMargin);
      version = current.version;
    }
  }

  /** The content a loaded session started from. */
  private async loadedBase(sid: string, loaded: LoadedSession): Promise<SessionData> {
    if ('json' in loaded.base) return JSON.parse(loaded.base.json) as SessionData;
    const decoded = await this.decode(sid, loaded.base.text);
    if (!decoded) throw new CorruptSessionError(sid);
    return decoded;
  }

  private async collectIds(): Promise<string[]> {
    const seen = new Set<string>();
    for await (const batch of this.scanIds()) for (const id of batch) seen.add(id);
    return [...seen];
  }
}

function noop(): void {}

function checkSid(sid: unknown): asserts sid is string {
  if (typeof sid !== 'string' || sid.length === 0) {
    throw new InvalidArgumentError('sid', 'expected a non-empty string');
  }
}

function checkSession(session: unknown): asserts session is SessionData {
  if (session === null || typeof session !== 'object' || Array.isArray(session)) {
    throw new InvalidArgumentError('session', 'expected a session object');
  }
}
