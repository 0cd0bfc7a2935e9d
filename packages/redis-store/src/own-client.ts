import { InvalidOptionError } from '@session-stores/core';
import type { IoRedisLike, NodeRedisClientLike } from './client-types';
import type { RedisConnectionOptions } from './options';

/** Where to connect, after merging the URL with the explicit options. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string | undefined;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
}

/** A client the store created, plus the call that starts connecting it (after listeners are attached). */
export interface OwnClient {
  readonly client: NodeRedisClientLike | IoRedisLike;
  start(): void;
}

type CreateClient = (options: object) => NodeRedisClientLike & { connect(): Promise<unknown> };
type IoRedisConstructor = new (options: object) => IoRedisLike;

/**
 * The database index in a Redis URL's path (`redis://host/2`), or undefined when it has none.
 * @throws InvalidOptionError naming `url` when the path is not a database index (digits only).
 */
export function urlDatabase(url: URL): number | undefined {
  const path = url.pathname.replace(/^\//, '');
  if (path === '') return undefined;
  if (!/^\d+$/.test(path)) throw new InvalidOptionError('url', `"${path}" is not a database index`);
  return Number(path);
}

/** The explicit options win over the URL's parts, so `{ url, db: 2 }` selects db 2. */
export function connectionTarget(options: RedisConnectionOptions): ConnectionTarget {
  const url = options.url === undefined ? undefined : new URL(options.url);
  const urlDb = url === undefined ? undefined : urlDatabase(url);
  return {
    host: options.host ?? (url?.hostname ? url.hostname.replace(/^\[(.*)\]$/, '$1') : '127.0.0.1'),
    port: options.port ?? (url?.port ? Number(url.port) : 6379),
    path: options.socket,
    tls: url?.protocol === 'rediss:',
    username: url?.username ? decodeURIComponent(url.username) : undefined,
    password: options.password ?? (url?.password ? decodeURIComponent(url.password) : undefined),
    db: options.db ?? urlDb ?? 0,
  };
}

/** The module, or undefined when it is not installed. */
function tryRequire(name: string): unknown {
  try {
    return require(name);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/**
 * Creates the store's own client when the app passes none: node-redis (`redis`) when it
 * is installed, else `ioredis`. It is configured to fail fast rather than queue: the
 * node-redis offline queue is off and ioredis neither queues offline nor replays
 * commands after a reconnect, so a command the store gave up on never runs later.
 * @throws InvalidOptionError naming `client` when neither library is installed.
 */
export function createOwnClient(options: RedisConnectionOptions): OwnClient {
  const target = connectionTarget(options);
  const nodeRedis = tryRequire('redis') as { createClient?: CreateClient } | undefined;
  if (typeof nodeRedis?.createClient === 'function') {
    const client = nodeRedis.createClient({
      socket: target.path
        ? { path: target.path }
        : { host: target.host, port: target.port, ...(target.tls ? { tls: true } : {}) },
      ...(target.username ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.db ? { database: target.db } : {}),
      disableOfflineQueue: true,
    });
    return {
      client,
      start: () => {
        // Failures are reported through the client's 'error' events, which the store listens to.
        client.connect().catch(() => undefined);
      },
    };
  }
  const ioredis = tryRequire('ioredis') as
    | (IoRedisConstructor & { default?: IoRedisConstructor })
    | undefined;
  const Redis = ioredis?.default ?? ioredis;
  if (typeof Redis === 'function') {
    const client = new Redis({
      ...(target.path ? { path: target.path } : { host: target.host, port: target.port }),
      ...(target.tls ? { tls: {} } : {}),
      ...(target.username ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      db: target.db,
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      // Batches the commands of one tick into one write, as node-redis does by itself.
      enableAutoPipelining: true,
    });
    return {
      client,
      start: () => {
        (client as IoRedisLike & { connect(): Promise<unknown> }).connect().catch(() => undefined);
      },
    };
  }
  throw new InvalidOptionError(
    'client',
    'no client given and neither "redis" nor "ioredis" is installed: install one, or pass a client',
  );
}
