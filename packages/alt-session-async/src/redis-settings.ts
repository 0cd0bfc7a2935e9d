import {
  InvalidOptionError,
  optionalGroup,
  optionalInteger,
  optionalMilliseconds,
  optionalString,
  rejectUnknownKeys,
} from '@session-stores/core';
import {
  checkRedisUrl,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type RedisClientLike,
  type RedisConnectionOptions,
  urlDatabase,
} from '@session-stores/redis-store/connection';

/** The connection to use: the app's client, or one the middleware creates (and closes). */
export type RedisSettings = {
  readonly commandTimeout: number;
} & (
  | { readonly client: RedisClientLike; readonly own?: undefined }
  | { readonly client?: undefined; readonly own: RedisConnectionOptions }
);

const REDIS_KEYS = ['host', 'port', 'socket', 'password', 'pass', 'auth_pass', 'db'] as const;

/** `password`, `pass` and `auth_pass` are one setting; several may be given only if they agree. */
function resolvePassword(redis: Record<string, unknown>): string | undefined {
  let found: { name: string; value: string } | undefined;
  for (const name of ['password', 'pass', 'auth_pass'] as const) {
    const value = optionalString(redis[name], `redis.${name}`, true);
    if (value === undefined) continue;
    if (found && found.value !== value) {
      throw new InvalidOptionError(`redis.${name}`, `conflicts with redis.${found.name}; give only one`);
    }
    found ??= { name, value };
  }
  return found?.value;
}

function resolveUrl(value: unknown): string | undefined {
  const url = optionalString(value, 'url');
  if (url === undefined) return undefined;
  urlDatabase(checkRedisUrl(url));
  return url;
}

/**
 * Validates the connection options: `client`, or `redis` and/or `url` (one is required, as
 * alt-session required `redis`), `session.dbIndex` and `commandTimeout`.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveRedisSettings(options: Record<string, unknown>): RedisSettings {
  const commandTimeout =
    optionalMilliseconds(options.commandTimeout, 'commandTimeout', 1) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const redis = optionalGroup(options.redis, 'redis');
  rejectUnknownKeys(redis, REDIS_KEYS, 'redis');
  const session = optionalGroup(options.session, 'session');
  const dbIndex = optionalInteger(session.dbIndex, 'session.dbIndex', 0, Number.MAX_SAFE_INTEGER);
  const { client } = options;
  if (client !== undefined) {
    if (client === null || typeof client !== 'object') {
      throw new InvalidOptionError('client', 'expected a node-redis or ioredis client object');
    }
    if (options.redis !== undefined || options.url !== undefined) {
      throw new InvalidOptionError(
        options.redis !== undefined ? 'redis' : 'url',
        'cannot be combined with client: configure the client itself',
      );
    }
    if (dbIndex !== undefined) {
      // SELECT on a shared client would move every other command of the app to that database.
      throw new InvalidOptionError(
        'session.dbIndex',
        'cannot be combined with client: select the database on the client',
      );
    }
    return { client: client as RedisClientLike, commandTimeout };
  }
  const url = resolveUrl(options.url);
  if (options.redis === undefined && url === undefined) {
    throw new InvalidOptionError('redis', 'required: pass redis: { host, port }, url, or an existing client');
  }
  const host = optionalString(redis.host, 'redis.host');
  const port = optionalInteger(redis.port, 'redis.port', 1, 65_535);
  const socket = optionalString(redis.socket, 'redis.socket');
  if (socket !== undefined && (host !== undefined || port !== undefined || url !== undefined)) {
    throw new InvalidOptionError(
      'redis.socket',
      'a unix socket path cannot be combined with url, host or port',
    );
  }
  const db = optionalInteger(redis.db, 'redis.db', 0, Number.MAX_SAFE_INTEGER);
  if (db !== undefined && dbIndex !== undefined && db !== dbIndex) {
    throw new InvalidOptionError('session.dbIndex', 'conflicts with redis.db; give only one');
  }
  return {
    commandTimeout,
    own: { url, host, port, socket, password: resolvePassword(redis), db: dbIndex ?? db },
  };
}
