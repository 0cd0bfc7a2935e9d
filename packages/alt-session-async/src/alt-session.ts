import type { RedisClientLike } from '@session-stores/redis-store/connection';
import { bridge } from './bridge';
import { withEncryption } from './encrypting-backend';
import type { AltSessionOptions } from './options';
import { RedisBackend } from './redis-backend';
import { openRedisLink } from './redis-link';
import { resolveRedisSettings } from './redis-settings';
import { type AltSessionHandler, sessionHandler } from './session-handler';
import { checkOptionsObject, resolveSessionSettings } from './session-settings';
import { mock } from './test-double';
import {
  RedisUserIndex,
  resolveUserSessionSettings,
  type UserSessionsApi,
  userSessionMethods,
  withUserSessions,
} from './user-sessions';

/** The middleware, plus what the app needs to shut it down. */
export interface AltSessionMiddleware extends AltSessionHandler, UserSessionsApi {
  /** The Redis client in use: the app's `client`, or the one the middleware created. */
  readonly client: RedisClientLike;
  /**
   * Fails later session calls with `ERR_STORE_CLOSED` and closes the middleware's own client
   * (an app's `client` stays open: the app owns it).
   */
  close(): Promise<void>;
}

/**
 * Creates the session middleware: `app.use(altSession({ redis: { host, port }, secret }))`.
 * Each request gets `req.session`, a lazy per-key async API over a Redis hash: nothing is
 * sent to Redis until the route calls it. The client connects in the background; calls made
 * before it is ready wait for it (within `commandTimeout`).
 * @throws InvalidOptionError naming the first invalid option.
 */
export function altSession(options: AltSessionOptions): AltSessionMiddleware {
  const checked = checkOptionsObject(options);
  const settings = resolveSessionSettings(checked);
  const link = openRedisLink(resolveRedisSettings(checked));
  // Encryption innermost: the user index reads and writes the user key's plain JSON.
  const { backend, users } = withUserSessions(
    withEncryption(new RedisBackend(link, settings.prefix, settings), settings),
    resolveUserSessionSettings(checked),
    () => new RedisUserIndex(link, settings.prefix),
  );
  const handler = sessionHandler(backend, settings);
  return Object.assign(handler, userSessionMethods(users), {
    client: link.client,
    close: () => link.close(),
  });
}

/** `altSession.bridge(options)`: see {@link bridge}. */
altSession.bridge = bridge;
/** `altSession.mock(options)`: see {@link mock} (alt-session's `require('alt-session').mock`). */
altSession.mock = mock;
