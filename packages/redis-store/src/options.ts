import {
  InvalidOptionError,
  optionalBoolean,
  optionalInteger,
  optionalMilliseconds,
  optionalString,
  type SessionStoreOptions,
} from '@session-stores/core';
import type { RedisClientLike } from './client-types';

/** The key prefix used when none is given: the same as connect-redis, so existing sessions stay readable. */
export const DEFAULT_PREFIX = 'sess:';
/** The default `SCAN ... COUNT` hint. */
export const DEFAULT_SCAN_COUNT = 1000;
/** The default budget of one Redis round trip, waiting for a connection included, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** Where the store's own client connects when no `client` is given. Defaults: 127.0.0.1:6379, db 0. */
export interface RedisConnectionOptions {
  /** A `redis://[[user]:password@]host[:port][/db]` or `rediss://` URL. Explicit `host`, `port`, `db`, `password` win over it. */
  url?: string | undefined;
  /** Server host name or address. Default `127.0.0.1` (or the URL's). */
  host?: string | undefined;
  /** Server port. Default `6379` (or the URL's). */
  port?: number | undefined;
  /** Path of a unix domain socket, instead of host and port. */
  socket?: string | undefined;
  /** Database index to SELECT (re-selected on every reconnect). Default `0` (or the URL's). */
  db?: number | undefined;
  /** Password for AUTH. */
  password?: string | undefined;
}

/** Options of {@link RedisStore}. Every option is optional. */
export interface RedisStoreOptions extends SessionStoreOptions, RedisConnectionOptions {
  /**
   * An existing client: node-redis v4/v5 `createClient()`, `createCluster()` or
   * `createSentinel()` (the app calls `connect()`), or ioredis `new Redis()` /
   * `new Redis.Cluster()`. The app keeps owning it: `close()` leaves it open.
   * Without it the store creates (and closes) its own client from the connection options.
   */
  client?: RedisClientLike | undefined;
  /** Prepended to every session id to form the Redis key. Default `'sess:'`; `''` is allowed. */
  prefix?: string | undefined;
  /**
   * The `COUNT` hint of each SCAN in `all`, `ids`, `length` and `clear`. Default 1000
   * (connect-redis: 100): ten times fewer round trips, each SCAN still a short call.
   */
  scanCount?: number | undefined;
  /**
   * Budget of every Redis round trip in ms, including the wait for a connection while
   * Redis is down. When it runs out the operation fails with `ERR_BACKEND_UNAVAILABLE`.
   * Default 2000.
   */
  commandTimeout?: number | undefined;
  /** Log the client's `error` events: `true` logs with `console.error`, a function receives them. Default `false`. */
  logErrors?: boolean | ((err: unknown) => void) | undefined;
  /** Do not let the Redis connection keep the process alive. Single-server clients only. Default `false`. */
  unref?: boolean | undefined;
  /**
   * Keep the sessions this process reads in memory, kept right by Redis client tracking (an
   * extra connection receiving an invalidation for every write to a session key), so a
   * session read again before anyone changes it costs no round trip. `true` or
   * `{ maxAgeMs, maxEntries }`; a read is never staler than `maxAgeMs` (default 1000) even
   * if an invalidation is late or lost. node-redis 5 single-server clients only, Redis 6 or
   * later. Default `false`: see the README for what a stale read can do and why it is off.
   */
  clientCache?: boolean | ClientCacheOptions | undefined;
}

/** The settings of {@link RedisStoreOptions.clientCache}. */
export interface ClientCacheOptions {
  /** The longest a cached session is served after it was read from Redis, in ms. Default 1000. */
  maxAgeMs?: number | undefined;
  /** The most sessions kept; the oldest read is dropped first. Default 10,000. */
  maxEntries?: number | undefined;
}

/** `clientCache`'s defaults. */
export const DEFAULT_CACHE_MAX_AGE_MS = 1000;
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/** The Redis-specific options, validated and with their defaults. */
export interface RedisSettings {
  readonly client: RedisClientLike | undefined;
  readonly connection: RedisConnectionOptions;
  readonly scanCount: number;
  readonly commandTimeout: number;
  readonly logErrors: false | ((err: unknown) => void);
  readonly unref: boolean;
  /** The client cache's settings, or undefined when it is off. */
  readonly clientCache: { readonly maxAgeMs: number; readonly maxEntries: number } | undefined;
}

const CONNECTION_OPTIONS = ['url', 'host', 'port', 'socket', 'db', 'password'] as const;

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Parses a `redis://` or `rediss://` URL.
 * @throws InvalidOptionError naming `url` when it is not one.
 */
export function checkRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError('url', 'expected a redis:// or rediss:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidOptionError('url', `expected a redis:// or rediss:// URL, got ${parsed.protocol}//`);
  }
  return parsed;
}

function validateConnection(options: RedisStoreOptions): RedisConnectionOptions {
  for (const name of ['url', 'host', 'socket', 'password'] as const) {
    optionalString(options[name], name, name === 'password');
  }
  const { url, host, port, socket, db, password } = options;
  if (url !== undefined) checkRedisUrl(url);
  optionalInteger(port, 'port', 1, 65_535);
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) {
    throw new InvalidOptionError('db', 'expected a database index, an integer of 0 or more');
  }
  if (socket !== undefined && (host !== undefined || port !== undefined || url !== undefined)) {
    throw new InvalidOptionError('socket', 'a unix socket path cannot be combined with url, host or port');
  }
  return { url, host, port, socket, db, password };
}

/**
 * Checks every Redis-specific option (core checks its own) and applies the defaults.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveRedisSettings(options: RedisStoreOptions): RedisSettings {
  const { client, scanCount, commandTimeout, logErrors, unref } = options;
  if (client !== undefined && (client === null || typeof client !== 'object')) {
    throw new InvalidOptionError('client', 'expected a node-redis or ioredis client object');
  }
  const connection = validateConnection(options);
  if (client !== undefined) {
    const extra = CONNECTION_OPTIONS.find((name) => options[name] !== undefined);
    if (extra) {
      throw new InvalidOptionError(
        extra,
        'cannot be combined with client: configure the client itself instead',
      );
    }
  }
  if (scanCount !== undefined && !isPositiveInteger(scanCount)) {
    throw new InvalidOptionError('scanCount', 'expected an integer of 1 or more');
  }
  const commandTimeoutMs =
    optionalMilliseconds(commandTimeout, 'commandTimeout', 1) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (logErrors !== undefined && typeof logErrors !== 'boolean' && typeof logErrors !== 'function') {
    throw new InvalidOptionError('logErrors', 'expected a boolean or a function receiving the error');
  }
  optionalBoolean(unref, 'unref');
  const clientCache = resolveClientCache(options.clientCache);
  return {
    clientCache,
    client,
    connection,
    scanCount: scanCount ?? DEFAULT_SCAN_COUNT,
    commandTimeout: commandTimeoutMs,
    logErrors: logErrors === true ? logToConsole : typeof logErrors === 'function' ? logErrors : false,
    unref: unref === true,
  };
}

function resolveClientCache(value: unknown): RedisSettings['clientCache'] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { maxAgeMs: DEFAULT_CACHE_MAX_AGE_MS, maxEntries: DEFAULT_CACHE_MAX_ENTRIES };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError('clientCache', 'expected a boolean or { maxAgeMs, maxEntries }');
  }
  const { maxAgeMs, maxEntries, ...rest } = value as ClientCacheOptions;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InvalidOptionError(`clientCache.${unknown}`, 'unknown option');
  if (maxEntries !== undefined && !isPositiveInteger(maxEntries)) {
    throw new InvalidOptionError('clientCache.maxEntries', 'expected an integer of 1 or more');
  }
  return {
    maxAgeMs: optionalMilliseconds(maxAgeMs, 'clientCache.maxAgeMs', 1) ?? DEFAULT_CACHE_MAX_AGE_MS,
    maxEntries: maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
  };
}

function logToConsole(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`RedisStore: Redis client error: ${message}`);
}
