/**
 * The client shapes the store accepts, described structurally so that neither
 * `redis` nor `ioredis` has to be installed for the types to load. The real client
 * objects satisfy these; the store detects which one it got at runtime.
 */

/** The EventEmitter methods the store uses to follow the connection. */
export interface EmitterLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A node-redis v4 or v5 client, from `createClient()`. The app must call `connect()` on it. */
export interface NodeRedisClientLike extends EmitterLike {
  sendCommand(args: string[], options?: object): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** A node-redis v4 or v5 cluster, from `createCluster()`. The app must call `connect()` on it. */
export interface NodeRedisClusterLike extends EmitterLike {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: object,
  ): Promise<unknown>;
  readonly masters: readonly object[];
  nodeClient(node: object): unknown;
  readonly isOpen: boolean;
}

/** A node-redis v5 sentinel client, from `createSentinel()`. The app must call `connect()` on it. */
export interface NodeRedisSentinelLike extends EmitterLike {
  sendCommand(isReadonly: boolean | undefined, args: string[], options?: object): Promise<unknown>;
  getMasterNode(): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** An ioredis client (`new Redis(...)`), including one that follows Sentinel (`{ sentinels, name }`). */
export interface IoRedisLike extends EmitterLike {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
  readonly status: string;
  readonly options: { readonly keyPrefix?: string | undefined };
  readonly isCluster: boolean;
}

/** An ioredis cluster (`new Redis.Cluster(...)`). */
export interface IoRedisClusterLike extends EmitterLike {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
  nodes(role?: 'all' | 'master' | 'slave'): IoRedisLike[];
  readonly status: string;
  readonly options: { readonly keyPrefix?: string | undefined };
  readonly isCluster: boolean;
}

/** Any client the store accepts in its `client` option. */
export type RedisClientLike =
  | NodeRedisClientLike
  | NodeRedisClusterLike
  | NodeRedisSentinelLike
  | IoRedisLike
  | IoRedisClusterLike;
