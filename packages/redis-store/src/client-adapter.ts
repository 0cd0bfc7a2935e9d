import { InvalidOptionError } from '@session-stores/core';
import type { RedisClientLike } from './client-types';
import { ioRedisAdapter } from './ioredis-adapter';
import { nodeRedisAdapter } from './node-redis-adapter';

/** Sends one command to one server and resolves with its raw reply. */
export type NodeSender = (args: string[]) => Promise<unknown>;

/** What the store wants to hear about the connection. */
export interface ConnectionListeners {
  /** Commands can be sent again (or for the first time). */
  ready(): void;
  /** The connection was lost; the client is reconnecting or closed. */
  down(): void;
  /** The client reported an error (never thrown: the store only logs it when asked to). */
  error(err: unknown): void;
}

/**
 * The small interface the store needs from any Redis client: raw commands routed by
 * key, the masters to SCAN, and the connection state. Raw commands keep the store
 * independent of each library's typed API (node-redis v4 and v5 differ in `SET`
 * options and `scanIterator`; ioredis differs again).
 */
export interface ClientAdapter {
  /** Which library, for messages and documentation. */
  readonly family: 'node-redis' | 'ioredis';
  /** `cluster`: keys live on different masters, multi-key commands must stay within one hash slot. */
  readonly topology: 'single' | 'cluster' | 'sentinel';
  /** A prefix the client itself adds to every key (ioredis `keyPrefix`); SCAN patterns must include it. */
  readonly clientPrefix: string;
  /** Whether commands can be sent right now. */
  isReady(): boolean;
  /** Why the connection cannot come up without the app's help (e.g. `connect()` never called), or undefined. */
  notReadyHint(): string | undefined;
  /** Starts a lazily connecting client; a no-op for the others. */
  wake(): void;
  /** Subscribes to the client's events; returns the function that unsubscribes. */
  watch(listeners: ConnectionListeners): () => void;
  /** Sends a command about `key` (routed to the master owning its slot in a cluster). */
  send(key: string, args: string[]): Promise<unknown>;
  /** One sender per master, for node-wide commands such as SCAN. */
  masters(): Promise<NodeSender[]>;
  /** Lets the process exit while the connection is open (`unref` option); false when the client cannot. */
  unref(): boolean;
  /** Closes the client: gracefully when it is connected, at once otherwise. */
  close(): Promise<void>;
}

function hasFunction(value: object, name: string): boolean {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

/**
 * Recognises the client by its shape (not by `instanceof`, so two installed copies of
 * a library both work): ioredis has `call` and a `status`; a node-redis cluster has
 * `masters` and `nodeClient`; a node-redis sentinel has `getMasterNode`; a node-redis
 * client has `sendCommand` and `isReady`.
 * @throws InvalidOptionError naming `client` when it is none of these.
 */
export function adaptClient(client: RedisClientLike): ClientAdapter {
  if (client === null || typeof client !== 'object') {
    throw new InvalidOptionError(
      'client',
      'expected a node-redis or ioredis client, cluster or sentinel client',
    );
  }
  if (hasFunction(client, 'call') && typeof (client as { status?: unknown }).status === 'string') {
    return ioRedisAdapter(client as Parameters<typeof ioRedisAdapter>[0]);
  }
  if (
    hasFunction(client, 'sendCommand') &&
    (hasFunction(client, 'nodeClient') ||
      hasFunction(client, 'getMasterNode') ||
      'isReady' in client ||
      'isOpen' in client)
  ) {
    return nodeRedisAdapter(client as Parameters<typeof nodeRedisAdapter>[0]);
  }
  throw new InvalidOptionError(
    'client',
    'not a supported Redis client: pass a node-redis (v4/v5) client, cluster or sentinel, or an ioredis client or cluster',
  );
}
