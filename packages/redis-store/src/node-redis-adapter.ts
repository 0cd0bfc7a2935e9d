import type { ClientAdapter, ConnectionListeners, NodeSender } from './client-adapter';
import type { NodeRedisClientLike, NodeRedisClusterLike, NodeRedisSentinelLike } from './client-types';
import { closedGracefully } from './graceful-close';

type AnyNodeRedis = NodeRedisClientLike | NodeRedisClusterLike | NodeRedisSentinelLike;

/** The optional methods that differ between node-redis v4 and v5, looked up at runtime. */
interface Closable {
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
  disconnect?(): Promise<unknown> | unknown;
  unref?(): void;
}

function isCluster(client: AnyNodeRedis): client is NodeRedisClusterLike {
  return typeof (client as NodeRedisClusterLike).nodeClient === 'function' && 'masters' in client;
}

function isSentinel(client: AnyNodeRedis): client is NodeRedisSentinelLike {
  return typeof (client as NodeRedisSentinelLike).getMasterNode === 'function';
}

/** Attaches listeners and returns the function that removes them again. */
function subscribe(
  emitter: AnyNodeRedis,
  handlers: Record<string, (...args: unknown[]) => void>,
): () => void {
  for (const [event, handler] of Object.entries(handlers)) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of Object.entries(handlers)) emitter.removeListener(event, handler);
  };
}

/**
 * Closes a node-redis client, cluster or sentinel: gracefully (v5 `close()`, v4 `quit()`)
 * when it is connected, bounded in time; at once (`destroy()` / `disconnect()`) otherwise.
 */
async function closeNodeRedis(client: AnyNodeRedis & Closable, ready: boolean): Promise<void> {
  if (!client.isOpen) return;
  const hardClose = async (): Promise<void> => {
    if (!client.isOpen) return;
    if (typeof client.destroy === 'function') await client.destroy();
    else if (typeof client.disconnect === 'function') await client.disconnect();
  };
  const graceful = typeof client.close === 'function' ? client.close : client.quit;
  if (ready && typeof graceful === 'function' && (await closedGracefully(() => graceful.call(client))))
    return;
  await hardClose().catch(() => undefined);
}

/**
 * A v4 client created with `legacyMode: true` has callback-style commands; its promise API
 * lives under `.v4` (a getter that throws on clients not in legacy mode).
 */
function promiseApi(client: NodeRedisClientLike): NodeRedisClientLike {
  try {
    const v4 = (client as { v4?: NodeRedisClientLike }).v4;
    if (v4 && typeof v4.sendCommand === 'function') return v4;
  } catch {
    // Not in legacy mode.
  }
  return client;
}

/** The connection over a node-redis (v4 or v5) client, cluster or sentinel. */
export function nodeRedisAdapter(client: AnyNodeRedis): ClientAdapter {
  if (isCluster(client)) return clusterAdapter(client);
  const sentinel = isSentinel(client);
  const commands = promiseApi(client as NodeRedisClientLike);
  const send: NodeSender = sentinel
    ? (args) => (client as NodeRedisSentinelLike).sendCommand(false, args)
    : (args) => commands.sendCommand(args);
  const single = client as NodeRedisClientLike | NodeRedisSentinelLike;
  return {
    family: 'node-redis',
    topology: sentinel ? 'sentinel' : 'single',
    clientPrefix: '',
    isReady: () => single.isReady,
    notReadyHint: () =>
      single.isOpen
        ? undefined
        : 'the node-redis client is not open: call `await client.connect()` before using the store',
    wake: () => undefined,
    watch(listeners: ConnectionListeners) {
      return subscribe(single, {
        ready: () => listeners.ready(),
        end: () => listeners.down(),
        reconnecting: () => listeners.down(),
        error: (err: unknown) => {
          if (!single.isReady) listeners.down();
          listeners.error(err);
        },
        // A sentinel reports a lost master as a client error, then a topology change once promoted.
        'client-error': (event: unknown) => {
          if (!single.isReady) listeners.down();
          listeners.error((event as { error?: unknown }).error ?? event);
        },
        'topology-change': () => {
          if (single.isReady) listeners.ready();
        },
      });
    },
    send: (_key, args) => send(args),
    masters: async () => [send],
    unref() {
      const closable = single as Closable;
      if (typeof closable.unref !== 'function') return false;
      closable.unref();
      return true;
    },
    close: () => closeNodeRedis(single, single.isReady),
  };
}

function clusterAdapter(cluster: NodeRedisClusterLike): ClientAdapter {
  return {
    family: 'node-redis',
    topology: 'cluster',
    clientPrefix: '',
    // A cluster has no single readiness flag; it is usable once open (slots discovered).
    isReady: () => cluster.isOpen,
    notReadyHint: () =>
      cluster.isOpen
        ? undefined
        : 'the node-redis cluster is not open: call `await cluster.connect()` before using the store',
    wake: () => undefined,
    watch(listeners: ConnectionListeners) {
      return subscribe(cluster, {
        connect: () => listeners.ready(),
        disconnect: () => listeners.down(),
        error: (err: unknown) => listeners.error(err),
        'node-error': (err: unknown) => listeners.error(err),
      });
    },
    // Always the master (isReadonly false): reads must see the writes that came before them.
    send: (key, args) => cluster.sendCommand(key, false, args),
    async masters() {
      const clients = await Promise.all(
        cluster.masters.map(async (master) => (await cluster.nodeClient(master)) as NodeRedisClientLike),
      );
      return clients.map(
        (node): NodeSender =>
          (args) =>
            node.sendCommand(args),
      );
    },
    // Node clients are created and replaced per master; there is no single socket to unref.
    unref: () => false,
    close: () => closeNodeRedis(cluster, cluster.isOpen),
  };
}
