import type { OptionalMethod, StoreCapabilities } from '../capabilities';
import type { SessionStore, SessionStoreOptions } from '../session-store';

/** What the kit passes to `createStore`: the prefix to use, and core options a case needs. */
export interface StoreFactoryContext {
  /** A unique key prefix; stores built for one case never share one unless the case asks. */
  readonly prefix: string;
  /** Core options the case needs (`ttl`, `disableTTL`, `disableTouch`, `onCorrupt`); pass them to the store. */
  readonly options: SessionStoreOptions;
}

/**
 * Direct access to the backend, bypassing the store, so the kit can check what is
 * really stored. Each hook is optional; cases that need a missing hook are skipped
 * with the reason.
 */
export interface ConformanceInspect<S extends SessionStore = SessionStore> {
  /** Writes data under `sid` that the store cannot decode. */
  corrupt?(store: S, sid: string): Promise<void>;
  /** Whether the backend still holds a live record for `sid` (expired records count as absent). */
  exists?(store: S, sid: string): Promise<boolean>;
  /** Remaining server-side TTL of `sid` in ms; `null` when it never expires. */
  ttl?(store: S, sid: string): Promise<number | null>;
  /** Writes a record under a full backend key that belongs to no store. */
  writeForeign?(store: S, key: string): Promise<void>;
  /** Whether the foreign record under `key` still exists. */
  foreignExists?(store: S, key: string): Promise<boolean>;
  /**
   * Cuts the store's connection to the backend as an outage would (for example
   * `CLIENT KILL ID` on Redis), and resolves once cut; the store must reconnect by itself.
   */
  dropConnection?(store: S): Promise<void>;
  /**
   * The session ids `user`'s index holds as stored, dead entries included, without pruning
   * anything (for a store built with the `userOf` option): the kit checks that expired
   * sessions leave the index.
   */
  indexedIds?(store: S, user: string): Promise<string[]>;
}

/** Options of `runStoreConformance`. */
export interface ConformanceOptions<S extends SessionStore = SessionStore> {
  /** Shown in the suite title. */
  readonly name: string;
  /** The store class: its static `capabilities` decide which cases run. */
  readonly storeClass: { readonly capabilities: StoreCapabilities };
  /** Returns a fresh, isolated, ready store using `context.prefix` and `context.options`. */
  createStore(context: StoreFactoryContext): S | Promise<S>;
  /** Releases a store; default `store.close()`. */
  closeStore?(store: S): Promise<void>;
  /** Backend access for the cases that check storage directly. */
  readonly inspect?: ConformanceInspect<S>;
  /**
   * Leaves optional methods out of this run (`{ methods: { touch: false } }`): the cases
   * that need them are skipped. It may only narrow the class's manifest, never widen it.
   */
  readonly capabilities?: { readonly methods?: Partial<Record<OptionalMethod, boolean>> };
}

/** What a case receives. */
export interface CaseContext<S extends SessionStore = SessionStore> {
  /** The effective capabilities: the class's manifest, narrowed by the run's `capabilities`. */
  readonly capabilities: StoreCapabilities;
  /** The class's own manifest, before narrowing: what the store itself must support or refuse. */
  readonly declared: StoreCapabilities;
  /** The backend access hooks (may be empty). */
  readonly inspect: ConformanceInspect<S>;
  /** A fresh store with its own prefix (or `prefix` when given); closed after the case. */
  store(options?: SessionStoreOptions, prefix?: string): Promise<S>;
  /** A unique prefix for this case. */
  prefix(label?: string): string;
  /** A unique session id. */
  sid(label?: string): string;
}

/** One check. */
export interface ConformanceCase {
  /** Names the behaviour, e.g. "touch extends the server-side TTL". */
  readonly name: string;
  /** Returns why the case cannot run against these capabilities/hooks, or undefined when it can. */
  readonly unsupported?: (capabilities: StoreCapabilities, inspect: ConformanceInspect) => string | undefined;
  /** Longer than the default test timeout, for cases that wait on real time. */
  readonly timeoutMs?: number;
  /** Runs the check; throws (an `expect` failure) when the store misbehaves. */
  run(context: CaseContext): Promise<void>;
}

/** A named set of cases about one area of the contract. */
export interface ConformanceGroup {
  /** The group's name, e.g. "ttl". */
  readonly name: string;
  /** Its cases. */
  readonly cases: readonly ConformanceCase[];
}
