import {
  describeValue,
  InvalidOptionError,
  optionalBoolean,
  optionalMilliseconds,
  type SessionData,
  type SessionStoreOptions,
} from '@session-stores/core';
// Public types come from redis-store's main entry (its connection entry is not a stable API).
import type { RedisClientLike, RedisConnectionOptions } from '@session-stores/redis-store';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '@session-stores/redis-store/connection';

/** expredis's layout: `session<sid>`, no separator, so its data stays readable. */
export const DEFAULT_PREFIX = 'session';
/** The default `SCAN ... COUNT` hint. */
export const DEFAULT_SCAN_COUNT = 100;
/** The default `hedgeDelay`, in ms. */
export const DEFAULT_HEDGE_DELAY_MS = 5;

/**
 * Where one replica lives, for a client the store creates (and closes). The same keys as
 * an expredis `clients` entry; `path` is node_redis's name for `socket`.
 */
export interface ReplicaConnectionConfig extends RedisConnectionOptions {
  /** Path of a unix domain socket (expredis / node_redis 2 spelling of `socket`). */
  path?: string | undefined;
}

/** One entry of `clients`: a connection config, or a client the app made (and keeps owning). */
export type ReplicaClientOption = ReplicaConnectionConfig | RedisClientLike;

/** How many servers must acknowledge a write: all of them, a majority, or a number. */
export type WriteQuorumOption = 'all' | 'majority' | number;

/** How a read picks its answer among the replicas. */
export type ReadPolicy = 'first' | 'newest';

/** Options of {@link ReplicatedStore}. Only `clients` is required. */
export interface ReplicatedStoreOptions extends Omit<SessionStoreOptions, 'ttl'> {
  /**
   * The servers, one entry each: a connection config (`{ url }` or `{ host, port, db,
   * password }`, as in expredis; the store creates and closes the client), or a connected
   * node-redis / ioredis client (the app keeps owning it). Each must be a separate,
   * independent server (no cluster).
   */
  clients: readonly ReplicaClientOption[];
  /** Prepended to the session id to form the key. Default `'session'` (no separator), as in expredis. */
  prefix?: string | undefined;
  /**
   * `false`: sessions never expire. A number: seconds, used when the cookie sets no
   * expiry (default 86400). A function `(session) => seconds`: wins over the cookie.
   * `null` means the default, as it did in expredis.
   */
  ttl?: false | number | ((session: SessionData) => number) | null | undefined;
  /** How many servers must acknowledge a write: `'all'`, `'majority'` (default) or a number from 1 to N. */
  writeQuorum?: WriteQuorumOption | undefined;
  /**
   * `'first'` (default): a hedged read. The fastest server is asked; the others too when it
   * has no session, or has not answered within `hedgeDelay`; the first copy to arrive wins.
   * `'newest'`: every server is asked; the read waits for N − writeQuorum + 1 answers and
   * returns the highest version among them.
   */
  readPolicy?: ReadPolicy | undefined;
  /**
   * Write the newest copy back to servers that answered a read with an older or missing
   * one, and resync servers known to be behind in the background. Default `true`.
   */
  readRepair?: boolean | undefined;
  /**
   * With `readPolicy: 'first'`, how long a read waits for the one server it asked before it
   * also asks the others, in ms (never less than twice that server's usual round trip).
   * Default 5.
   */
  hedgeDelay?: number | undefined;
  /**
   * Budget of one round trip to one server in ms, the first wait for a connection
   * included. A server that does not answer in time counts as failed. Default 2000.
   */
  commandTimeout?: number | undefined;
  /** The `COUNT` hint of each SCAN in `all`, `ids`, `length`, `clear`. Default 100. */
  scanCount?: number | undefined;
  /** Let the process exit while the connections are open. Default `false`. */
  unref?: boolean | undefined;
}

/** The store's own options, validated, with defaults applied and quorums computed. */
export interface ReplicationSettings {
  readonly clients: readonly ReplicaClientOption[];
  /** Acknowledgements a write needs. */
  readonly writeQuorum: number;
  /** Answers a `'newest'` read, and an enumeration, needs: N − writeQuorum + 1, so it meets every write's quorum. */
  readonly readQuorum: number;
  readonly readPolicy: ReadPolicy;
  readonly readRepair: boolean;
  /** In ms, as every duration here. */
  readonly hedgeDelay: number;
  readonly commandTimeout: number;
  readonly scanCount: number;
  readonly unref: boolean;
}

/**
 * Maps the expredis-style `ttl` (`false`, seconds, a function, or `null`) onto core's
 * `ttl` / `disableTTL`. Like expredis, anything but a whole number is refused (`3.1`, `'5'`,
 * `true`, `{}`, `[]`); unlike expredis, `0` is refused here rather than failing every write.
 * @throws InvalidOptionError naming `ttl` (or `disableTTL` when the two contradict).
 */
export function toCoreOptions(options: ReplicatedStoreOptions): SessionStoreOptions {
  if (options === undefined) {
    throw new InvalidOptionError('clients', 'required: one connection config or client per Redis server');
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'expected an object with at least `clients`');
  }
  const { ttl, ...rest } = options;
  if (ttl === undefined || ttl === null) return { ...rest, ttl: undefined };
  if (ttl === false) {
    if (rest.disableTTL === false) {
      throw new InvalidOptionError('disableTTL', 'contradicts ttl: false (sessions that never expire)');
    }
    return { ...rest, ttl: undefined, disableTTL: true };
  }
  if (typeof ttl === 'function') return { ...rest, ttl };
  if (typeof ttl !== 'number' || !Number.isInteger(ttl)) {
    throw new InvalidOptionError(
      'ttl',
      `expected false, a whole number of seconds or a function, got ${describeValue(ttl)}`,
    );
  }
  if (ttl <= 0) {
    throw new InvalidOptionError(
      'ttl',
      `must be at least 1 second, got ${ttl}; use ttl: false for sessions that never expire`,
    );
  }
  return { ...rest, ttl };
}

function writeQuorumOf(option: unknown, replicas: number): number {
  if (option === undefined || option === 'majority') return Math.floor(replicas / 2) + 1;
  if (option === 'all') return replicas;
  if (typeof option === 'number' && Number.isInteger(option) && option >= 1 && option <= replicas) {
    return option;
  }
  throw new InvalidOptionError(
    'writeQuorum',
    `expected 'all', 'majority' or a whole number from 1 to ${replicas} (the number of clients), got ${describeValue(option)}`,
  );
}

/**
 * Checks the replication options (core checks its own, the `clients` entries are checked
 * where the clients are made) and applies the defaults.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveReplicationSettings(options: ReplicatedStoreOptions): ReplicationSettings {
  const { clients, readPolicy, scanCount } = options;
  if (!Array.isArray(clients) || clients.length === 0) {
    throw new InvalidOptionError(
      'clients',
      'expected a non-empty array with one entry per server: a connection config ({ url } or { host, port, db, password }) or a connected node-redis / ioredis client',
    );
  }
  const writeQuorum = writeQuorumOf(options.writeQuorum, clients.length);
  if (readPolicy !== undefined && readPolicy !== 'first' && readPolicy !== 'newest') {
    throw new InvalidOptionError(
      'readPolicy',
      `expected 'first' or 'newest', got ${describeValue(readPolicy)}`,
    );
  }
  const readRepair = optionalBoolean(options.readRepair, 'readRepair', describeValue);
  const unref = optionalBoolean(options.unref, 'unref', describeValue);
  const commandTimeout = optionalMilliseconds(options.commandTimeout, 'commandTimeout', 1, describeValue);
  const hedgeDelay = optionalMilliseconds(options.hedgeDelay, 'hedgeDelay', 0, describeValue);
  if (scanCount !== undefined && !(Number.isInteger(scanCount) && scanCount >= 1)) {
    throw new InvalidOptionError(
      'scanCount',
      `expected a whole number of 1 or more, got ${describeValue(scanCount)}`,
    );
  }
  return {
    clients,
    writeQuorum,
    readQuorum: clients.length - writeQuorum + 1,
    readPolicy: readPolicy ?? 'first',
    readRepair: readRepair ?? true,
    hedgeDelay: hedgeDelay ?? DEFAULT_HEDGE_DELAY_MS,
    commandTimeout: commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS,
    scanCount: scanCount ?? DEFAULT_SCAN_COUNT,
    unref: unref ?? false,
  };
}
