import { BackendMisconfiguredError, BackendUnavailableError } from '@session-stores/core';
import {
  classifyRedisError,
  openClient,
  type RedisClientLike,
  RedisConnection,
} from '@session-stores/redis-store/connection';
import type { RedisSettings } from './redis-settings';

const NAME = 'alt-session-async';

/** The Redis connection of one middleware: bounded round trips, typed errors, and its lifecycle. */
export interface RedisLink {
  /** Whether keys may live on different servers (then no command may span two sessions). */
  readonly cluster: boolean;
  /** The client in use: the app's, or the middleware's own. */
  readonly client: RedisClientLike;
  /**
   * One round trip for `key` (a command, or a function making the calls), failing with
   * `ERR_BACKEND_UNAVAILABLE` when there is no connection or no answer within `commandTimeout`.
   */
  run(
    key: string,
    command: string[] | ((send: (key: string, args: string[]) => Promise<unknown>) => Promise<unknown>),
  ): Promise<unknown>;
  /** Fails later calls; closes the client if the middleware created it. */
  close(): Promise<void>;
}

/**
 * Opens the connection through redis-store's shared layer: the app's client or one created
 * from the options (offline queue off), every round trip bounded by a {@link RedisConnection},
 * which holds commands while Redis is down (instead of the client's queue) and fails them
 * when the budget is spent, so a request never hangs and never runs a write minutes later.
 */
export function openRedisLink(settings: RedisSettings): RedisLink {
  // Its listeners also keep node-redis from crashing the process on an 'error' event nobody listens to.
  const connection = new RedisConnection(openClient(settings.client, settings.own ?? {}), {
    commandTimeout: settings.commandTimeout,
    notConnectedError: (ms, hint, lastError) => {
      if (hint) return new BackendMisconfiguredError(`${NAME}: ${hint}`);
      return new BackendUnavailableError(`${NAME}: no connection to Redis within ${ms} ms (commandTimeout)`, {
        cause: lastError,
      });
    },
    noAnswerError: (ms) =>
      new BackendUnavailableError(`${NAME}: Redis did not answer within ${ms} ms (commandTimeout)`),
  });
  connection.start();
  const adapter = connection.adapter;
  const send = (key: string, args: string[]): Promise<unknown> => adapter.send(key, args);
  return {
    cluster: adapter.topology === 'cluster',
    client: connection.client,
    run(key, command) {
      const call = typeof command === 'function' ? () => command(send) : () => send(key, command);
      return connection.run(call).catch((err: unknown) => {
        throw classifyRedisError(err, NAME);
      });
    },
    close: () => connection.close(),
  };
}
