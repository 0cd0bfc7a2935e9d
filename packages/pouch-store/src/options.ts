import {
  InvalidOptionError,
  MAX_TIMER_DELAY_MS,
  optionalObject,
  type SessionStoreOptions,
} from '@session-stores/core';
import { isPouchDatabase, type PouchConstructorOptions, type PouchDatabase } from './database';

/** Options of {@link PouchStore}, on top of core's common options (`prefix`, `ttl`, `serializer`, ...). */
export interface PouchStoreOptions extends SessionStoreOptions {
  /**
   * Where sessions live: an `http(s)://` URL (a remote CouchDB or PouchDB server), a name
   * (an in-memory database shared by that name within the process), or a PouchDB
   * instance. Default: a private in-memory database. Also accepted as the first
   * constructor argument.
   */
  database?: string | PouchDatabase | undefined;
  /** Passed to the PouchDB constructor when the store creates the database (not with an instance). */
  pouchOptions?: PouchConstructorOptions | undefined;
  /** Sessions unused for this long (ms) leave the in-process cache (not the database). `0` disables the cache. Default 300,000. */
  maxIdle?: number | undefined;
  /** How often (ms) idle sessions are evicted from the cache. Default 1,000. */
  scavenge?: number | undefined;
  /** How often (ms) expired session documents are deleted from the database. `0` turns it off. Default 300,000. */
  purge?: number | undefined;
}

/** Defaults of the PouchDB-specific options (the same as session-pouchdb-store's). */
export const POUCH_DEFAULTS = {
  maxIdle: 300_000,
  scavenge: 1_000,
  purge: 300_000,
} as const;

/** The default key prefix: document ids are `sess:<sid>`. */
export const DEFAULT_PREFIX = 'sess:';

/** Where the store's database comes from, and therefore who closes it. */
export type DatabaseSource =
  | { readonly kind: 'private-memory' }
  | { readonly kind: 'named-memory'; readonly name: string }
  | { readonly kind: 'remote'; readonly url: string }
  | { readonly kind: 'instance'; readonly db: PouchDatabase };

/** The validated intervals. */
export interface Intervals {
  readonly maxIdle: number;
  readonly scavenge: number;
  readonly purge: number;
}

/**
 * Sorts out the constructor forms: `()`, `(url)`, `(name)`, `(instance)`, `(options)`,
 * and `(url | name | instance, options)`.
 * @throws InvalidOptionError naming the argument or option at fault.
 */
export function resolveArguments(
  first: unknown,
  second: unknown,
): { options: PouchStoreOptions; database: string | PouchDatabase | undefined } {
  optionalObject(second, 'options');
  const given = second as PouchStoreOptions | undefined;
  if (first === undefined || first === null) {
    return { options: given ?? {}, database: given?.database };
  }
  if (typeof first === 'string' || isPouchDatabase(first)) {
    if (given?.database !== undefined) {
      throw new InvalidOptionError('database', 'given both as the first argument and as an option');
    }
    return { options: given ?? {}, database: first };
  }
  if (typeof first === 'object' && !Array.isArray(first)) {
    if (given !== undefined) {
      throw new InvalidOptionError(
        'database',
        'expected a URL, a name or a PouchDB instance (an object with get, put, bulkDocs and changes) before the options',
      );
    }
    const options = first as PouchStoreOptions;
    return { options, database: options.database };
  }
  throw new InvalidOptionError(
    'database',
    `expected a URL, a database name, a PouchDB instance or an options object, got ${typeof first}`,
  );
}

/** @throws InvalidOptionError when `database` or `pouchOptions` is invalid. */
export function resolveSource(database: unknown, pouchOptions: unknown): DatabaseSource {
  optionalObject(pouchOptions, 'pouchOptions');
  if (database === undefined) return { kind: 'private-memory' };
  if (typeof database === 'string') {
    if (database.trim() === '') throw new InvalidOptionError('database', 'expected a non-empty URL or name');
    if (/^https?:\/\//i.test(database)) {
      try {
        new URL(database);
      } catch {
        throw new InvalidOptionError('database', `not a valid URL: ${database}`);
      }
      return { kind: 'remote', url: database };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) {
      throw new InvalidOptionError('database', 'only http:// and https:// URLs are supported');
    }
    return { kind: 'named-memory', name: database };
  }
  if (isPouchDatabase(database)) {
    const missing = ['allDocs', 'info'].filter(
      (name) => typeof (database as unknown as Record<string, unknown>)[name] !== 'function',
    );
    if (missing.length > 0) {
      throw new InvalidOptionError('database', `the PouchDB instance lacks ${missing.join(' and ')}()`);
    }
    if (pouchOptions !== undefined) {
      throw new InvalidOptionError(
        'pouchOptions',
        'only applies when the store creates the database, not to an instance',
      );
    }
    return { kind: 'instance', db: database };
  }
  throw new InvalidOptionError(
    'database',
    'expected a URL, a database name or a PouchDB instance (an object with get, put, bulkDocs and changes)',
  );
}

function interval(options: PouchStoreOptions, name: keyof Intervals, allowZero: boolean): number {
  const value = options[name] ?? POUCH_DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    const expected = allowZero
      ? 'a number of milliseconds, 0 or more'
      : 'a number of milliseconds, more than 0';
    throw new InvalidOptionError(name, `expected ${expected}, got ${String(value)}`);
  }
  if (value > MAX_TIMER_DELAY_MS) {
    throw new InvalidOptionError(name, `at most ${MAX_TIMER_DELAY_MS} ms (about 24.8 days)`);
  }
  return value;
}

/** @throws InvalidOptionError naming `maxIdle`, `scavenge` or `purge`. */
export function resolveIntervals(options: PouchStoreOptions): Intervals {
  return {
    maxIdle: interval(options, 'maxIdle', true),
    scavenge: interval(options, 'scavenge', false),
    purge: interval(options, 'purge', true),
  };
}
