import { BackendUnavailableError } from '@session-stores/core';
import type { ClientAdapter, ConnectionListeners, NodeSender } from './client-adapter';
import type { IoRedisClusterLike, IoRedisLike } from './client-types';
import { closedGracefully } from './graceful-close';

type AnyIoRedis = IoRedisLike | IoRedisClusterLike;

/** ioredis methods the structural client types leave out. */
interface IoRedisExtras {
  connect?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  disconnect?(): void;
  stream?: { unref?(): void };
  /** Cluster: for each hash slot, the `host:port` of its master first. */
  slots?: ReadonlyArray<ReadonlyArray<string> | undefined>;
  options: {
    keyPrefix?: string | undefined;
    sentinels?: unknown;
    redisOptions?: { keyPrefix?: string | undefined };
  };
}

function sender(node: IoRedisLike | IoRedisClusterLike): NodeSender {
  return (args) => node.call(args[0] as string, ...args.slice(1));
}

/**
 * One sender per master of an ioredis cluster. ioredis drops a node whose connection
 * failed from `nodes()` until its next slot refresh, so a SCAN over `nodes()` alone would
 * silently skip that master's keys: every master owning slots must be there, or the
 * cluster is (partly) unreachable.
 */
function clusterMasters(cluster: IoRedisClusterLike & IoRedisExtras): NodeSender[] {
  const nodes = cluster.nodes('master');
  const owners = new Set<string>();
  for (const slot of cluster.slots ?? []) if (slot?.[0]) owners.add(slot[0]);
  if (owners.size > 0) {
    const present = new Set(
      nodes.map((node) => {
        const { host, port } = (node as IoRedisLike & { options: { host?: string; port?: number } }).options;
        return `${host}:${port}`;
      }),
    );
    const missing = [...owners].filter((owner) => !present.has(owner));
    if (missing.length > 0) {
      throw new BackendUnavailableError(`RedisStore: no connection to cluster master ${missing.join(', ')}`);
    }
  }
  return nodes.map(sender);
}

/** The connection over an ioredis client (plain or Sentinel-aware) or cluster. */
export function ioRedisAdapter(client: AnyIoRedis): ClientAdapter {
  const extras = client as AnyIoRedis & IoRedisExtras;
  const cluster = client.isCluster === true;
  const send = sender(client);
  let unrefSockets = false;
  const unrefSocket = (): void => {
    if (unrefSockets) extras.stream?.unref?.();
  };
  return {
    family: 'ioredis',
    topology: cluster ? 'cluster' : extras.options.sentinels ? 'sentinel' : 'single',
    clientPrefix: extras.options.keyPrefix ?? extras.options.redisOptions?.keyPrefix ?? '',
    isReady: () => client.status === 'ready',
    notReadyHint: () =>
      client.status === 'end'
        ? 'the ioredis client has been closed (quit/disconnect); give the store an open client'
        : undefined,
    wake() {
      // lazyConnect clients wait for their first command; the store holds commands until ready.
      if (client.status === 'wait') extras.connect?.().catch(() => undefined);
    },
    watch(listeners: ConnectionListeners) {
      const handlers: Record<string, (...args: unknown[]) => void> = {
        ready: () => listeners.ready(),
        close: () => listeners.down(),
        reconnecting: () => listeners.down(),
        end: () => listeners.down(),
        error: (err: unknown) => listeners.error(err),
        'node error': (err: unknown) => listeners.error(err),
        connect: unrefSocket,
      };
      for (const [event, handler] of Object.entries(handlers)) client.on(event, handler);
      return () => {
        for (const [event, handler] of Object.entries(handlers)) client.removeListener(event, handler);
      };
    },
    // ioredis adds its keyPrefix to the keys of every command itself, and routes by key in a cluster.
    send: (_key, args) => send(args),
    async masters() {
      return cluster ? clusterMasters(client as IoRedisClusterLike & IoRedisExtras) : [send];
    },
    unref() {
      if (cluster) return false;
      // ioredis has no unref(); its socket is replaced on every reconnect, so unref each new one.
      unrefSockets = true;
      unrefSocket();
      return true;
    },
    async close() {
      if (client.status === 'end') return;
      const quit = extras.quit;
      if (client.status === 'ready' && typeof quit === 'function') {
        if (await closedGracefully(() => quit.call(client))) return;
      }
      extras.disconnect?.();
    },
  };
}
