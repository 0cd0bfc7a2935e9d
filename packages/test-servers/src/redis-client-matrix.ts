import { useStarted } from './jest-helpers';

/**
 * The client majors the Redis packages claim besides the newest: node-redis 4 and 5 and
 * ioredis 5, installed here under npm aliases (`redis4`, `redis5`, `ioredis5`). The newest
 * majors (node-redis 6, ioredis 6) are each package's own `redis` / `ioredis`
 * devDependency and run the full suites; these run the conformance suites (a subset),
 * through the same structural client shapes the stores accept.
 */
export interface OlderRedisClient {
  /** e.g. `node-redis 4.7.1`: the library and the version installed. */
  readonly name: string;
  readonly library: 'node-redis' | 'ioredis';
  /** A connected client on `url`, its errors ignored (tests assert on the store). */
  open(url: string): Promise<unknown>;
  /** Closes it at once, whatever its state. */
  close(client: unknown): Promise<void>;
}

interface NodeRedisModule {
  createClient(options: { url: string }): {
    on(event: string, listener: () => void): unknown;
    connect(): Promise<unknown>;
    disconnect(): Promise<void>;
    readonly isOpen: boolean;
  };
}

interface IoRedisModule {
  Redis: new (
    url: string,
    options: { lazyConnect: boolean },
  ) => { on(event: string, listener: () => void): unknown; connect(): Promise<void>; disconnect(): void };
}

function installedVersion(alias: string): string {
  return (require(`${alias}/package.json`) as { version: string }).version;
}

function nodeRedis(alias: string): OlderRedisClient {
  return {
    name: `node-redis ${installedVersion(alias)}`,
    library: 'node-redis',
    async open(url) {
      const client = (require(alias) as NodeRedisModule).createClient({ url });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async close(client) {
      // disconnect() exists in v4 and v5 (v5 also names it destroy()): closes at once.
      const opened = client as ReturnType<NodeRedisModule['createClient']>;
      if (opened.isOpen) await opened.disconnect();
    },
  };
}

function ioredis(alias: string): OlderRedisClient {
  return {
    name: `ioredis ${installedVersion(alias)}`,
    library: 'ioredis',
    async open(url) {
      const client = new (require(alias) as IoRedisModule).Redis(url, { lazyConnect: true });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async close(client) {
      (client as { disconnect(): void }).disconnect();
    },
  };
}

/** node-redis 4, node-redis 5, ioredis 5 (see {@link OlderRedisClient}). */
export const OLDER_REDIS_CLIENTS: readonly OlderRedisClient[] = [
  nodeRedis('redis4'),
  nodeRedis('redis5'),
  ioredis('ioredis5'),
];

/** A connected client of `older` for the enclosing describe block, on the server `url()` names. */
export function useOlderRedisClient(older: OlderRedisClient, url: () => string): () => unknown {
  return useStarted(
    older.name,
    () => older.open(url()),
    (client) => older.close(client),
  );
}
