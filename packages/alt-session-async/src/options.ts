import type { EncryptionKey } from '@session-stores/core';
import type { RedisClientLike } from '@session-stores/redis-store/connection';

/** Where the middleware's own Redis client connects (the original alt-session's `redis` option). */
export interface RedisServerOptions {
  /** Server host. Default `127.0.0.1` (or the `url`'s). */
  host?: string | undefined;
  /** Server port. Default `6379` (or the `url`'s). */
  port?: number | undefined;
  /** Path of a unix domain socket, instead of host and port. */
  socket?: string | undefined;
  /** Password for AUTH. `pass` and `auth_pass` are accepted as aliases, as in alt-session. */
  password?: string | undefined;
  /** Alias of `password` (alt-session). */
  pass?: string | undefined;
  /** Alias of `password` (alt-session, node_redis 2). */
  auth_pass?: string | undefined;
  /** Database index. `session.dbIndex` is the alt-session spelling of the same thing. Default 0. */
  db?: number | undefined;
}

/** The original alt-session's `session` group. */
export interface SessionOptions {
  /** Database index to use (0 is honoured, unlike alt-session). Not with `client`: select it on the client. */
  dbIndex?: number | undefined;
  /**
   * Idle timeout in seconds: the session hash expires this long after its last use; every
   * request that touches the session moves it forward. Default 300. `false` disables it
   * (then only `maxLifetime` or `invalidate()` ends a session); `0` is rejected.
   */
  tti?: number | false | undefined;
  /** Key prefix: a session lives at `<prefix>:<id>`. Default `'session'`. */
  prefix?: string | undefined;
  /** alt-session spelling of `cookie.secure`. */
  secure?: boolean | undefined;
  /** alt-session spelling of `cookie.domain`. */
  domain?: string | undefined;
}

/** The session cookie's attributes. */
export interface CookieOptions {
  /** Cookie name. Default `'sid'` (alt-session's). */
  name?: string | undefined;
  /** Path attribute. Default `'/'`. */
  path?: string | undefined;
  /** Domain attribute. Default none (the host that set it). */
  domain?: string | undefined;
  /** Secure attribute (HTTPS only). Default `false`. Required by `sameSite: 'none'`. */
  secure?: boolean | undefined;
  /** HttpOnly attribute (hidden from page scripts). Default `true`. */
  httpOnly?: boolean | undefined;
  /** SameSite attribute: `'lax'` (default), `'strict'`, `'none'`, or `false` to leave it out. */
  sameSite?: 'lax' | 'strict' | 'none' | false | undefined;
  /**
   * Max-Age in **seconds** (not ms, unlike express-session): the cookie is then persistent and
   * re-sent whenever the session is used, so it slides with the idle timeout. Default none: a
   * browser-session cookie, as in alt-session. At most 400 days (browsers cap it there).
   */
  maxAge?: number | undefined;
}

/** Options of the middleware. `secret`, and one of `redis`, `url` or `client`, are required. */
export interface AltSessionOptions {
  /** Connect the middleware's own client (node-redis if installed, else ioredis). */
  redis?: RedisServerOptions | undefined;
  /** A `redis://[[user]:password@]host[:port][/db]` or `rediss://` URL for the own client; `redis.*` win over its parts. */
  url?: string | undefined;
  /**
   * An existing node-redis (v4/v5) or ioredis client, cluster or sentinel client. The app
   * owns it (connects and closes it); `middleware.close()` leaves it open.
   */
  client?: RedisClientLike | undefined;
  /** Session storage settings (alt-session's group). */
  session?: SessionOptions | undefined;
  /** Cookie attributes. */
  cookie?: CookieOptions | undefined;
  /**
   * Absolute lifetime in seconds: a session ends this long after it was first stored, however
   * active it is. Enforced by Redis (the expiry never goes past it). Default none.
   */
  maxLifetime?: number | undefined;
  /**
   * The key(s) signing the cookie. An array rotates keys: new cookies are signed with the
   * first, cookies signed with any of them are accepted.
   */
  secret: string | readonly string[];
  /**
   * Budget of every Redis round trip in ms, including the wait for a connection while Redis
   * is down; then the call fails with `ERR_BACKEND_UNAVAILABLE`. Default 2000.
   */
  commandTimeout?: number | undefined;
  /**
   * The session key whose value names the session's user (a string), so the middleware keeps
   * an index from each user to their sessions: `sessionsOf`, `destroyAllOf` and
   * `maxSessionsPerUser` work. Default none: nothing extra is read or written.
   */
  userKey?: string | undefined;
  /** At most this many sessions per user: a login beyond it ends the user's oldest logins. Needs `userKey`. Default none. */
  maxSessionsPerUser?: number | undefined;
  /**
   * Encrypt every value at rest with AES-256-GCM (core's cipher, as `createEncryptingSerializer`).
   * Default none: values are stored as JSON.
   */
  encryption?: EncryptionOptions | undefined;
}

/** The `encryption` option. */
export interface EncryptionOptions {
  /** `[{ id, key }]`, newest first: values are encrypted with the first key and read with any. Required. */
  keys: readonly EncryptionKey[];
  /** Also read values stored in clear before encryption was turned on. Default `false`. */
  allowPlaintext?: boolean | undefined;
}
