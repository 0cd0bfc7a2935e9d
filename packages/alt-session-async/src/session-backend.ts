import type { StoreIdentity } from '@session-stores/core';

/** The `store` name alt-session-async's operations are published under on core's store channels. */
export const SESSION_STORE_NAME = 'AltSession';

/** A command's answer when the session's hash does not exist (never stored, expired, deleted). */
export const MISSING: unique symbol = Symbol('missing');

/** One field to store: its name and its encoded text. */
export type FieldEntry = readonly [field: string, text: string];

/**
 * Where session hashes live: Redis, or memory for the test double. Each method is one round
 * trip and atomic. The expiry rule is the same everywhere: the idle timeout from the last
 * use, never past the absolute lifetime counted from creation.
 */
export interface SessionBackend {
  /** What the session's operations are published as on core's store channels. */
  readonly identity: StoreIdentity;
  /**
   * The stored texts of `fields` (null where absent), or MISSING when there is no hash.
   * With `refresh`, the expiry is refreshed in the same round trip.
   */
  read(
    id: string,
    fields: readonly string[],
    refresh: boolean,
  ): Promise<Array<string | null> | typeof MISSING>;
  /**
   * Stores `sets` and deletes `removes`, refreshing the expiry. With `mustExist`, nothing
   * happens and MISSING comes back when there is no hash (so an unknown id is never created).
   */
  write(
    id: string,
    sets: readonly FieldEntry[],
    removes: readonly string[],
    mustExist: boolean,
  ): Promise<typeof MISSING | undefined>;
  /** Refreshes the expiry; false when there is no hash. */
  touch(id: string): Promise<boolean>;
  /** Deletes the hash. */
  destroy(id: string): Promise<void>;
  /** Moves the hash to `to`, keeping its creation time, and refreshes the expiry; false when there was none. */
  rename(from: string, to: string): Promise<boolean>;
}
