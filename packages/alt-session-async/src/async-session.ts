import type { Callback } from '@session-stores/core';

/**
 * `req.session`: a per-key, asynchronous view of one session. Every method returns a
 * promise, or, given a Node-style callback as its last argument, calls it instead (and
 * returns undefined). Values are anything JSON can hold, plus Dates at any depth; each key
 * is one field of the session's Redis hash.
 *
 * Keys are non-empty strings not starting with `@` (reserved for metadata); anything else
 * fails with `ERR_INVALID_ARGUMENT`. A Redis outage fails the call with `ERR_BACKEND_UNAVAILABLE`
 * within `commandTimeout`.
 */
export interface AsyncSession {
  /**
   * The session id (192 random bits, base64url). It changes when the cookie's session turns
   * out not to exist, on `regenerate()`, and on `invalidate()`.
   */
  readonly id: string;
  /**
   * True when this request did not arrive with a live session: no valid cookie, or (known
   * after the first call) a cookie whose session is gone. False for a cookie's session until
   * a call shows otherwise, since nothing is sent to Redis before the first call.
   */
  readonly isNew: boolean;

  /** The value of `key`, or null when it is not set. */
  get<T = unknown>(key: string): Promise<T | null>;
  get<T = unknown>(key: string, callback: Callback<T | null>): void;

  /** The values of `keys` as an object `{ key: value-or-null }`, in one round trip. */
  mget<K extends string>(keys: readonly K[]): Promise<Record<K, unknown>>;
  mget<K extends string>(keys: readonly K[], callback: Callback<Record<K, unknown>>): void;

  /** Stores `value` under `key` (creating the session, and its cookie, if needed). */
  set(key: string, value: unknown): Promise<void>;
  set(key: string, value: unknown, callback: Callback<void>): void;

  /** Stores every property of `values`, atomically, in one round trip. */
  mset(values: Readonly<Record<string, unknown>>): Promise<void>;
  mset(values: Readonly<Record<string, unknown>>, callback: Callback<void>): void;

  /** Deletes one key, or each key of an array (only those: the rest of the session stays). */
  remove(keys: string | readonly string[]): Promise<void>;
  remove(keys: string | readonly string[], callback: Callback<void>): void;

  /**
   * Ends the session: deletes its hash and clears the cookie (same name, path and domain it
   * was set with). The request continues with a new, empty session under a new id.
   */
  invalidate(): Promise<void>;
  invalidate(callback: Callback<void>): void;

  /** Refreshes the idle timeout; resolves false when there is no stored session. */
  touch(): Promise<boolean>;
  touch(callback: Callback<boolean>): void;

  /**
   * Moves the session's data to a new id (the old id stops working at once) and re-sets the
   * cookie: call it on login to rule out session fixation. Resolves with the new id.
   */
  regenerate(): Promise<string>;
  regenerate(callback: Callback<string>): void;
}
