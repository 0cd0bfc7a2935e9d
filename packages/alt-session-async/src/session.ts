import {
  bridgeCallback,
  type Callback,
  InvalidArgumentError,
  type StoreOperation,
  traceStoreOperation,
} from '@session-stores/core';
import type { AsyncSession } from './async-session';
import { type FieldEntry, MISSING, type SessionBackend } from './session-backend';
import { generateSessionId } from './session-id';
import { checkKey, checkKeyList } from './session-keys';
import { decodeStored, encodeStored } from './stored-value';

/**
 * What this request knows about the hash of the current id:
 * - `absent`: the id was made here and nothing is stored: reads answer without Redis;
 * - `unknown`: the id came from a cookie: the first command must check that the hash exists;
 * - `present`: a command found it, or a write of this request created it.
 */
type Known = 'absent' | 'unknown' | 'present';

/** The cookie a request arrived with, as the session needs it. */
export interface SessionOrigin {
  /** A verified id from the cookie, or undefined. */
  readonly id: string | undefined;
  /** Whether a cookie of the session's name came at all (so it can be cleared). */
  readonly cookiePresent: boolean;
}

/** What the response must do with the cookie. */
export type CookieChange = { readonly set: string } | 'clear' | undefined;

/** One operation under the session's run loop (`#run`). */
interface Operation<T> {
  /** Whether it stores fields, and so may create the hash (and needs the cookie). */
  readonly creates: boolean;
  /** Its answer when there is no hash. */
  absent(): T;
  /**
   * Its round trip on `id`. `mustExist`: the hash must already exist (otherwise MISSING and
   * no change); `refresh`: refresh the expiry (the first command of the request does).
   */
  send(id: string, mustExist: boolean, refresh: boolean): Promise<T | typeof MISSING>;
}

const noValue = (): undefined => undefined;

/**
 * Members of {@link Session} for this package only (the bridge, the middleware). Symbols, so
 * they never show up as, or clash with, the session keys the bridge defines on `req.session`.
 */
export const loadPresent: unique symbol = Symbol('loadPresent');
/** See {@link loadPresent}. */
export const applyChanges: unique symbol = Symbol('applyChanges');
/** See {@link loadPresent}. */
export const cookieChange: unique symbol = Symbol('cookieChange');

/**
 * The session of one request (`req.session`). Nothing is sent to Redis until a method is
 * called; the first command on a cookie's id also checks that its hash exists and refreshes
 * the idle timeout, in the same round trip. When the hash turns out not to exist (expired,
 * invalidated, or an id the server never issued: session fixation), the request switches to
 * a fresh id before anything is written, so a client can never choose its session id.
 *
 * State changes happen synchronously when a method is called (before its round trip), so a
 * route that calls `set()` and ends the response at once still gets its cookie.
 */
export class Session implements AsyncSession {
  #id: string;
  #known: Known;
  #isNew: boolean;
  /** The id whose expiry this request has refreshed (or is refreshing). */
  #refreshedId: string | undefined;
  /** The id this request stored something under: the response must carry its cookie. */
  #writtenId: string | undefined;
  /** invalidate() ran, or the cookie's session proved gone: clear the cookie unless a new one is set. */
  #dropCookie = false;

  // Real private fields: nothing of the session's machinery shows on `req.session` (or
  // clashes with a key the bridge defines there).
  readonly #backend: SessionBackend;
  readonly #origin: SessionOrigin;

  /** @param newId the id of a new session (no cookie): random unless a test double picks one. */
  constructor(backend: SessionBackend, origin: SessionOrigin, newId?: string) {
    this.#backend = backend;
    this.#origin = origin;
    this.#id = origin.id ?? newId ?? generateSessionId();
    this.#known = origin.id === undefined ? 'absent' : 'unknown';
    this.#isNew = origin.id === undefined;
  }

  get id(): string {
    return this.#id;
  }

  get isNew(): boolean {
    return this.#isNew;
  }

  get<T = unknown>(key: string): Promise<T | null>;
  get<T = unknown>(key: string, callback: Callback<T | null>): void;
  get<T = unknown>(key: string, callback?: Callback<T | null>): Promise<T | null> | undefined {
    return bridgeCallback(
      this.#traced('get', () => this.#get<T>(key)),
      callback,
    );
  }

  mget<K extends string>(keys: readonly K[]): Promise<Record<K, unknown>>;
  mget<K extends string>(keys: readonly K[], callback: Callback<Record<K, unknown>>): void;
  mget<K extends string>(
    keys: readonly K[],
    callback?: Callback<Record<K, unknown>>,
  ): Promise<Record<K, unknown>> | undefined {
    return bridgeCallback(
      this.#traced('mget', () => this.#mget(keys)) as Promise<Record<K, unknown>>,
      callback,
    );
  }

  set(key: string, value: unknown): Promise<void>;
  set(key: string, value: unknown, callback: Callback<void>): void;
  set(key: string, value: unknown, callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.#traced('set', () => this.#mset([[key, value]], 'key')),
      callback,
    );
  }

  mset(values: Readonly<Record<string, unknown>>): Promise<void>;
  mset(values: Readonly<Record<string, unknown>>, callback: Callback<void>): void;
  mset(values: Readonly<Record<string, unknown>>, callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.#traced('mset', () => this.#msetObject(values)),
      callback,
    );
  }

  remove(keys: string | readonly string[]): Promise<void>;
  remove(keys: string | readonly string[], callback: Callback<void>): void;
  remove(keys: string | readonly string[], callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.#traced('remove', () => this.#remove(keys)),
      callback,
    );
  }

  invalidate(): Promise<void>;
  invalidate(callback: Callback<void>): void;
  invalidate(callback?: Callback<void>): Promise<void> | undefined {
    return bridgeCallback(
      this.#traced('invalidate', () => this.#invalidate()),
      callback,
    );
  }

  touch(): Promise<boolean>;
  touch(callback: Callback<boolean>): void;
  touch(callback?: Callback<boolean>): Promise<boolean> | undefined {
    return bridgeCallback(
      this.#traced('touch', () => this.#touch()),
      callback,
    );
  }

  regenerate(): Promise<string>;
  regenerate(callback: Callback<string>): void;
  regenerate(callback?: Callback<string>): Promise<string> | undefined {
    return bridgeCallback(
      this.#traced('regenerate', () => this.#regenerate()),
      callback,
    );
  }

  /**
   * For the bridge: the decoded values of those `keys` that are set, in one round trip.
   */
  [loadPresent](keys: readonly string[]): Promise<Map<string, unknown>> {
    return this.#traced('mget', () => this.#loadPresent(keys));
  }

  async #loadPresent(keys: readonly string[]): Promise<Map<string, unknown>> {
    const fields = checkKeyList(keys, 'keys');
    const found = new Map<string, unknown>();
    if (fields.length === 0) return found;
    const texts = await this.#run<Array<string | null>>({
      creates: false,
      absent: () => [],
      send: (id, _mustExist, refresh) => this.#backend.read(id, fields, refresh),
    });
    texts.forEach((text, index) => {
      if (text !== null) found.set(fields[index] as string, this.#decode(fields[index] as string, text));
    });
    return found;
  }

  /**
   * For the bridge: stores `sets` and deletes `removes` in one round trip.
   */
  [applyChanges](sets: ReadonlyArray<readonly [string, unknown]>, removes: readonly string[]): Promise<void> {
    return this.#traced('mset', () => this.#applyChanges(sets, removes));
  }

  async #applyChanges(
    sets: ReadonlyArray<readonly [string, unknown]>,
    removes: readonly string[],
  ): Promise<void> {
    const entries: FieldEntry[] = sets.map(([key, value]) => [key, encodeStored(this.#id, key, value)]);
    if (entries.length === 0 && removes.length === 0) return;
    await this.#run({
      creates: entries.length > 0,
      absent: noValue,
      send: (id, mustExist) => this.#backend.write(id, entries, removes, mustExist),
    });
  }

  /**
   * What the response must do with the cookie, decided when its headers go out: set it when
   * this request stored something under an id the browser does not have (or, with `rolling`,
   * whenever the session was used), clear it after invalidate() or when the cookie's session
   * proved gone, else leave it alone. Nothing was written: no cookie (the request stays lazy).
   */
  [cookieChange](rolling: boolean): CookieChange {
    const id = this.#id;
    if (this.#writtenId === id && (id !== this.#origin.id || rolling)) return { set: id };
    if (rolling && id === this.#origin.id && this.#known === 'present' && this.#refreshedId === id)
      return { set: id };
    if (this.#dropCookie && this.#origin.cookiePresent && this.#writtenId !== id) return 'clear';
    return undefined;
  }

  /**
   * Runs one operation on the current id. When the hash the request expected is gone, the
   * request switches to a fresh id; an operation that stores fields is then repeated on
   * that id (with no existence check: nobody else knows it yet).
   */
  /** A public operation, published on core's store channels when someone listens. */
  #traced<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    return traceStoreOperation(operation, this.#backend.identity, run);
  }

  async #run<T>(operation: Operation<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const id = this.#id;
      if (this.#known === 'absent' && !operation.creates) return operation.absent();
      const mustExist = this.#known !== 'absent';
      if (operation.creates) {
        this.#known = 'present';
        this.#writtenId = id;
      }
      const refresh = this.#refreshedId !== id;
      this.#refreshedId = id;
      let result: T | typeof MISSING;
      try {
        result = await operation.send(id, mustExist, refresh);
      } catch (err) {
        // Let the next command try the refresh again.
        if (refresh && this.#refreshedId === id) this.#refreshedId = undefined;
        throw err;
      }
      if (result !== MISSING) {
        if (this.#id === id && this.#known === 'unknown') this.#known = 'present';
        return result;
      }
      if (this.#id === id) this.#startOver();
      if (!operation.creates || attempt > 0) return operation.absent();
    }
  }

  /** The expected hash is gone: continue under a fresh id, as a new session. */
  #startOver(): void {
    if (this.#id === this.#origin.id) this.#dropCookie = true;
    this.#id = generateSessionId();
    this.#known = 'absent';
    this.#isNew = true;
  }

  async #get<T>(key: string): Promise<T | null> {
    const field = checkKey(key, 'key');
    const texts = await this.#run<Array<string | null>>({
      creates: false,
      absent: () => [null],
      send: (id, _mustExist, refresh) => this.#backend.read(id, [field], refresh),
    });
    const text = texts[0];
    return text == null ? null : (this.#decode(field, text) as T);
  }

  async #mget(keys: readonly string[]): Promise<Record<string, unknown>> {
    const fields = checkKeyList(keys, 'keys');
    const values = await this.#loadPresent(fields);
    // fromEntries defines properties, so a key named __proto__ is an ordinary key.
    return Object.fromEntries(fields.map((field) => [field, values.has(field) ? values.get(field) : null]));
  }

  async #msetObject(values: Readonly<Record<string, unknown>>): Promise<void> {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new InvalidArgumentError('values', 'expected an object of key/value pairs');
    }
    return this.#mset(Object.entries(values), 'values');
  }

  async #mset(pairs: ReadonlyArray<readonly [string, unknown]>, argument: string): Promise<void> {
    const entries: FieldEntry[] = pairs.map(([key, value]) => {
      const field = checkKey(key, argument === 'key' ? 'key' : `${argument}.${String(key)}`);
      if (value === undefined) {
        throw new InvalidArgumentError(
          argument === 'key' ? 'value' : `${argument}.${field}`,
          'undefined cannot be stored; use remove()',
        );
      }
      return [field, encodeStored(this.#id, field, value)];
    });
    if (entries.length === 0) return;
    await this.#run({
      creates: true,
      absent: noValue,
      send: (id, mustExist) => this.#backend.write(id, entries, [], mustExist),
    });
  }

  async #remove(keys: string | readonly string[]): Promise<void> {
    const fields = typeof keys === 'string' ? [checkKey(keys, 'keys')] : checkKeyList(keys, 'keys');
    if (fields.length === 0) return;
    await this.#run({
      creates: false,
      absent: noValue,
      send: (id) => this.#backend.write(id, [], fields, true),
    });
  }

  async #invalidate(): Promise<void> {
    const id = this.#id;
    const stored = this.#known !== 'absent';
    // The rest of the request gets a new, empty session; the old id is dead from now on.
    this.#id = generateSessionId();
    this.#known = 'absent';
    this.#isNew = true;
    this.#dropCookie = true;
    if (stored) await this.#backend.destroy(id);
  }

  async #touch(): Promise<boolean> {
    return this.#run<boolean>({
      creates: false,
      absent: () => false,
      send: async (id) => ((await this.#backend.touch(id)) ? true : MISSING),
    });
  }

  async #regenerate(): Promise<string> {
    const from = this.#id;
    const to = generateSessionId();
    this.#id = to;
    if (this.#known === 'absent') return to;
    // Commands issued from now on target the new id and reach Redis after the move.
    this.#known = 'present';
    this.#writtenId = to;
    this.#refreshedId = to;
    let moved: boolean;
    try {
      moved = await this.#backend.rename(from, to);
    } catch (err) {
      if (this.#id === to) this.#known = 'unknown';
      throw err;
    }
    if (!moved && this.#id === to) {
      if (from === this.#origin.id) this.#dropCookie = true;
      this.#known = 'absent';
      this.#isNew = true;
      this.#writtenId = undefined;
    }
    return this.#id;
  }

  #decode(key: string, text: string): unknown {
    return decodeStored(this.#id, key, text);
  }
}
