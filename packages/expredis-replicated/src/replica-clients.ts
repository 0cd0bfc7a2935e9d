import { InvalidOptionError, optionalString } from '@session-stores/core';
import {
  connectionTarget,
  type OpenedClient,
  openClient,
  type RedisClientLike,
  type RedisConnectionOptions,
} from '@session-stores/redis-store/connection';
import type { ReplicaClientOption, ReplicaConnectionConfig } from './options';

/** The keys a connection config may have; anything else needs a client of the app's own making. */
const CONFIG_KEYS = new Set(['url', 'host', 'port', 'socket', 'path', 'db', 'password']);

/** A replica's client, checked but not connected yet. */
export interface ReplicaClientPlan {
  /** The client given, or undefined when the store is to create one from `config`. */
  readonly client: RedisClientLike | undefined;
  /** Where the store's own client connects (only when `client` is undefined). */
  readonly config: RedisConnectionOptions | undefined;
}

function isClientInstance(entry: object): boolean {
  const candidate = entry as { call?: unknown; sendCommand?: unknown };
  return typeof candidate.call === 'function' || typeof candidate.sendCommand === 'function';
}

/** Checks one connection config the way redis-store checks its own connection options. */
function checkConfig(config: ReplicaConnectionConfig, name: string): RedisConnectionOptions {
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.has(key)) {
      throw new InvalidOptionError(
        `${name}.${key}`,
        `not a connection option here (${[...CONFIG_KEYS].join(', ')}): for other client settings, create the client yourself and pass it instead`,
      );
    }
  }
  const url = optionalString(config.url, `${name}.url`);
  const host = optionalString(config.host, `${name}.host`);
  const socket = optionalString(config.socket, `${name}.socket`);
  const path = optionalString(config.path, `${name}.path`);
  const password = optionalString(config.password, `${name}.password`, true);
  if (url !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new InvalidOptionError(`${name}.url`, 'expected a redis:// or rediss:// URL');
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new InvalidOptionError(`${name}.url`, `expected a redis:// or rediss:// URL, got ${protocol}//`);
    }
  }
  const { port, db } = config;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) {
    throw new InvalidOptionError(`${name}.port`, 'expected a whole number from 1 to 65535');
  }
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) {
    throw new InvalidOptionError(`${name}.db`, 'expected a database index, a whole number of 0 or more');
  }
  if (socket !== undefined && path !== undefined) {
    throw new InvalidOptionError(`${name}.path`, 'give the unix socket as socket or as path, not both');
  }
  const unixSocket = socket ?? path;
  if (unixSocket !== undefined && (host !== undefined || port !== undefined || url !== undefined)) {
    throw new InvalidOptionError(
      `${name}.${socket !== undefined ? 'socket' : 'path'}`,
      'a unix socket cannot be combined with url, host or port',
    );
  }
  return { url, host, port, socket: unixSocket, db, password };
}

/** Where a config points, to catch the same server listed twice. */
function serverIdentity(config: RedisConnectionOptions, name: string): string {
  let target: ReturnType<typeof connectionTarget>;
  try {
    target = connectionTarget(config);
  } catch (err) {
    // It checks the URL's database part and names the option without the entry.
    if (err instanceof InvalidOptionError) throw new InvalidOptionError(`${name}.${err.option}`, err.message);
    throw err;
  }
  return target.path ? `unix:${target.path}/${target.db}` : `${target.host}:${target.port}/${target.db}`;
}

/**
 * Checks every `clients` entry without connecting anything, so an invalid option never
 * leaves a client behind.
 * @throws InvalidOptionError naming the entry (`clients[1].port`, ...).
 */
export function planReplicaClients(entries: readonly ReplicaClientOption[]): ReplicaClientPlan[] {
  const seen = new Map<unknown, number>();
  return entries.map((entry, index) => {
    const name = `clients[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InvalidOptionError(name, 'expected a connection config or a node-redis / ioredis client');
    }
    const instance = isClientInstance(entry);
    const config = instance ? undefined : checkConfig(entry as ReplicaConnectionConfig, name);
    const identity = config ? serverIdentity(config, name) : entry;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      throw new InvalidOptionError(
        name,
        `the same server as clients[${earlier}]: every replica must be a separate server, or quorums mean nothing`,
      );
    }
    seen.set(identity, index);
    return { client: instance ? (entry as RedisClientLike) : undefined, config };
  });
}

/**
 * Adapts the app's clients and creates the store's own (not connected yet: see
 * {@link OpenedClient.start}). A cluster is refused: a replica must be one full copy.
 * @throws InvalidOptionError naming the entry.
 */
export function openReplicaClients(plans: readonly ReplicaClientPlan[]): OpenedClient[] {
  return plans.map((plan, index) => {
    const name = `clients[${index}]`;
    if (!plan.client) return openClient(undefined, plan.config ?? {});
    let opened: OpenedClient;
    try {
      opened = openClient(plan.client, {});
    } catch (err) {
      if (err instanceof InvalidOptionError) throw new InvalidOptionError(name, err.message);
      throw err;
    }
    if (opened.adapter.topology === 'cluster') {
      throw new InvalidOptionError(
        name,
        'a Redis Cluster cannot be a replica: each replica must be one server holding a full copy',
      );
    }
    return opened;
  });
}
