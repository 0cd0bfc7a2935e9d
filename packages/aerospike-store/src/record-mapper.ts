import { InvalidOptionError, type SessionData } from '@session-stores/core';
import type { AerospikeBins } from 'aerospike';

/** The bins of one Aerospike record, by bin name. */
export type SessionBins = AerospikeBins;

/**
 * Turns a session into the bins of its record and back, for apps that want some
 * session fields in bins of their own (for a secondary index, say). Bin names are at
 * most 15 bytes; values are what Aerospike stores (strings, numbers, Buffers, lists and
 * maps of these).
 */
export interface RecordMapper {
  /** The bins to store for `session`. Called on every `set()`. */
  toRecord(session: SessionData): SessionBins;
  /**
   * The session stored in `bins`. Return `null` for "no session"; throw (or return
   * something that is not an object) for data that cannot be decoded.
   */
  fromRecord(bins: SessionBins): SessionData | null | Promise<SessionData | null>;
}

/** The bin holding the serialized session, without its cookie, in the default layout. */
export const SESSION_BIN = 'session';
/** The bin holding the serialized cookie in the default layout, so touch() can rewrite it alone. */
export const COOKIE_BIN = 'cookie';
/**
 * The bin holding the session's user, with the `userOf` option (beside either layout, so
 * a mapper must not use this name), indexed by a secondary index for `sessionsOf`.
 */
export const USER_BIN = 'sessUser';

/** The name of the user bin's secondary index on a set (index names are per namespace). */
export function userIndexName(set: string): string {
  return `${set}_sessUser`;
}

/** Aerospike's bin-name limit, in UTF-8 bytes. */
export const MAX_BIN_NAME_BYTES = 15;

/** @throws InvalidOptionError when `mapper` lacks `toRecord` or `fromRecord`. */
export function validateMapper(mapper: unknown): RecordMapper | undefined {
  if (mapper === undefined || mapper === null) return undefined;
  const candidate = mapper as Partial<RecordMapper>;
  if (typeof candidate.toRecord !== 'function' || typeof candidate.fromRecord !== 'function') {
    throw new InvalidOptionError(
      'mapper',
      'expected an object with toRecord(session) and fromRecord(bins) functions',
    );
  }
  return candidate as RecordMapper;
}

/**
 * Checks what a custom mapper's `toRecord` returned before it goes to the server, so
 * a mapper bug is named as such instead of surfacing as a client parameter error.
 * @throws InvalidOptionError naming `mapper`.
 */
export function checkMappedBins(bins: unknown): SessionBins {
  if (bins === null || typeof bins !== 'object' || Array.isArray(bins) || Buffer.isBuffer(bins)) {
    throw new InvalidOptionError('mapper', 'toRecord must return an object of bins');
  }
  const names = Object.keys(bins);
  if (names.length === 0) {
    throw new InvalidOptionError('mapper', 'toRecord returned no bins; a record needs at least one');
  }
  for (const name of names) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes === 0 || bytes > MAX_BIN_NAME_BYTES) {
      throw new InvalidOptionError(
        'mapper',
        `toRecord returned bin name "${name}" of ${bytes} bytes; Aerospike bin names are 1 to ${MAX_BIN_NAME_BYTES} bytes`,
      );
    }
  }
  return bins as SessionBins;
}
