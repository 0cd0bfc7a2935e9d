import { BackendMisconfiguredError, BackendUnavailableError, StoreClosedError } from '@session-stores/core';
import {
  adaptClient,
  CommandGate,
  classifyRedisError,
  createOwnClient,
  isUnavailable,
  type RedisClientLike,
  type RedisConnection,
} from '@session-stores/redis-store/connection';
import type { RedisSettings } from './redis-options';

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
 * from the options (offline queue off), with every round trip under a {@link CommandGate},
 * which holds commands while Redis is down (instead of the client's queue) and fails them
 * when the budget is spent, so a request never hangs and never runs a write minutes later.
 */
export function openRedisLink(settings: RedisSettings): RedisLink {
  const own = settings.own === undefined ? undefined : createOwnClient(settings.own);
  const client = settings.client ?? (own?.client as RedisClientLike);
  const connection: RedisConnection = adaptClient(client);
  let lastError: unknown;
  const gate = new CommandGate({
    timeoutMs: settings.commandTimeoutMs,
    isReady: () => connection.isReady(),
    onWait: () => connection.wake(),
    onReadyObserved: () => undefined,
    notConnectedError: (ms) => {
      const hint = connection.notReadyHint();
      if (hint) return new BackendMisconfiguredError(`${NAME}: ${hint}`);
      return new BackendUnavailableError(`${NAME}: no connection to Redis within ${ms} ms (commandTimeout)`, {
        cause: lastError,
      });
    },
    noAnswerError: (ms) =>
      new BackendUnavailableError(`${NAME}: Redis did not answer within ${ms} ms (commandTimeout)`),
    isUnreachable: isUnavailable,
    onUnreachable: () => undefined,
  });
  // Also keeps node-redis from crashing the process on an 'error' event nobody listens to.
  const stopWatching = connection.watch({
    ready: () => {
      lastError = undefined;
      gate.notifyReady();
    },
    down: () => undefined,
    error: (err) => {
      lastError = err;
    },
  });
  own?.start();
  const send = (key: string, args: string[]): Promise<unknown> => connection.send(key, args);
  let closed = false;
  return {
    cluster: connection.topology === 'cluster',
    client,
    run(key, command) {
      const call = typeof command === 'function' ? () => command(send) : () => send(key, command);
      return gate.run(call).catch((err: unknown) => {
        throw classifyRedisError(err, NAME);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      gate.dispose(new StoreClosedError());
      stopWatching();
      if (own) await connection.close();
    },
  };
}
