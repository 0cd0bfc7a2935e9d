import diagnosticsChannel, { type TracingChannel } from 'node:diagnostics_channel';

/**
 * The operations published, one tracing channel each: those of every express-session store
 * (`get` to `destroyAllOf`), then those only alt-session-async's sessions have. Methods added later
 * publish under their own name and belong in this list (it is what subscribers default to).
 */
export const STORE_OPERATIONS = [
  'get',
  'set',
  'destroy',
  'touch',
  'all',
  'ids',
  'length',
  'clear',
  'sessionsOf',
  'destroyAllOf',
  'mget',
  'mset',
  'remove',
  'invalidate',
  'regenerate',
] as const;

/** An operation published on the store channels. */
export type StoreOperation = (typeof STORE_OPERATIONS)[number] | (string & {});

/** What each tracing event of a store operation carries. One object per call, shared by its events. */
export interface StoreOperationContext {
  /** The store's class name (`RedisStore`). */
  readonly store: string;
  /** The operation (`get`, `set`, ...): the last part of the channel name. */
  readonly operation: StoreOperation;
  /** The kind of database (`redis`, `aerospike`, `couchdb`, `pouchdb`, `memory`): the class's `backend`. */
  readonly backend: string;
  /** The store's key prefix. Session ids are never published: they are bearer tokens. */
  readonly prefix: string;
  /** On `error`: the error's stable `code` (`ERR_BACKEND_UNAVAILABLE`, ...). */
  code?: string | undefined;
  /** On `error`: the error itself (set by the tracing channel). */
  error?: unknown;
  /** On `asyncEnd` of a success: what the operation resolved with (set by the tracing channel). */
  result?: unknown;
}

/** Who publishes an operation: the fields of {@link StoreOperationContext} besides the operation. */
export type StoreIdentity = Pick<StoreOperationContext, 'store' | 'backend' | 'prefix'>;

/** The prefix of every store channel name; a tracing channel adds `tracing:` and `:start` etc. around it. */
export const STORE_CHANNEL_PREFIX = 'session-stores:store:';

/** The tracing channel of one store operation. */
export type StoreChannel = TracingChannel<object, StoreOperationContext>;

const channels = new Map<string, StoreChannel>();

/**
 * The tracing channel of an operation, `session-stores:store:<operation>`: its events are
 * published as `tracing:session-stores:store:<operation>:start` (`end`, `asyncStart`,
 * `asyncEnd`, `error`). Subscribe with `diagnostics_channel.tracingChannel(name).subscribe()`.
 */
export function storeChannel(operation: StoreOperation): StoreChannel {
  let channel = channels.get(operation);
  if (!channel) {
    channel = diagnosticsChannel.tracingChannel<object, StoreOperationContext>(
      `${STORE_CHANNEL_PREFIX}${operation}`,
    );
    channels.set(operation, channel);
  }
  return channel;
}

/**
 * Whether anyone listens to any event of the channel. Checked before anything is built for
 * it, so a store nobody watches pays one map lookup and five getters per call. (Node 20's
 * early releases lack `TracingChannel.hasSubscribers`, hence the five.)
 */
export function isObserved(channel: StoreChannel): boolean {
  return (
    channel.start.hasSubscribers ||
    channel.end.hasSubscribers ||
    channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers ||
    channel.error.hasSubscribers
  );
}

/**
 * Runs `run` (which must not throw: it reports failure by rejecting) inside the
 * operation's tracing channel, with `code` set on the context before `error` is published.
 * A subscriber that throws does not change the operation's outcome: Node catches it and
 * reports it as an uncaught exception on the next tick, as for every diagnostics channel.
 */
export function traceOperation<T>(
  channel: StoreChannel,
  context: StoreOperationContext,
  run: () => Promise<T>,
): Promise<T> {
  return channel.tracePromise(
    () =>
      run().then(undefined, (err: unknown) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (typeof code === 'string') context.code = code;
        throw err;
      }),
    context,
  );
}

/**
 * Runs `run` (which reports failure by rejecting) as operation `operation` of `identity` on
 * the store channels: published when someone listens, else just run. For session code that
 * is not a `SessionStore` (whose base class does this itself).
 */
export function traceStoreOperation<T>(
  operation: StoreOperation,
  identity: StoreIdentity,
  run: () => Promise<T>,
): Promise<T> {
  const channel = storeChannel(operation);
  if (!isObserved(channel)) return run();
  return traceOperation(channel, { ...identity, operation }, run);
}

/** Handlers for the events of store operations; each is optional. */
export interface StoreOperationSubscriber {
  start?(context: StoreOperationContext): void;
  end?(context: StoreOperationContext): void;
  asyncStart?(context: StoreOperationContext): void;
  asyncEnd?(context: StoreOperationContext): void;
  error?(context: StoreOperationContext): void;
}

const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/**
 * Subscribes to the tracing channels of `operations` (default: all of
 * {@link STORE_OPERATIONS}); returns the function that unsubscribes. Unlike a handler
 * subscribed with `diagnostics_channel` directly (whose exception Node reports as uncaught,
 * which ends an app without an `uncaughtException` listener), a handler that throws here is
 * caught: the store operation goes on, and the first such exception is reported once as a
 * process warning.
 */
export function subscribeStoreOperations(
  subscriber: StoreOperationSubscriber,
  operations: readonly StoreOperation[] = STORE_OPERATIONS,
): () => void {
  let warned = false;
  const guarded: Partial<Record<(typeof EVENTS)[number], (context: StoreOperationContext) => void>> = {};
  for (const event of EVENTS) {
    const handler = subscriber[event];
    if (typeof handler !== 'function') continue;
    guarded[event] = (context) => {
      try {
        handler.call(subscriber, context);
      } catch (err) {
        if (warned) return;
        warned = true;
        const reason = err instanceof Error ? err.message : String(err);
        process.emitWarning(`a store operation subscriber threw on ${event} (reported once): ${reason}`, {
          code: 'SESSION_STORES_SUBSCRIBER',
        });
      }
    };
  }
  const handlers = guarded as Parameters<StoreChannel['subscribe']>[0];
  for (const operation of operations) storeChannel(operation).subscribe(handlers);
  return () => {
    for (const operation of operations) storeChannel(operation).unsubscribe(handlers);
  };
}
