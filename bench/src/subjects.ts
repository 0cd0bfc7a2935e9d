import { MemoryStore } from '@session-stores/core';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import expressSession, { type Store } from 'express-session';
import { type SubjectContext, type SubjectInstance, SubjectUnavailable } from './context';
import { closeIoredis, closeNodeRedis, connectIoredis, connectNodeRedis } from './redis-clients';
import { callbackOps, promiseOps, type StoreOps } from './store-ops';

/** The figures the benchmark produces per subject. */
export type OpName = 'set' | 'get' | 'touch' | 'get-missing' | 'destroy' | 'all' | 'length' | 'clear';

/** A goal from an issue: `op` of this subject at least `min` times the same op of `against`. */
export interface Target {
  readonly op: OpName;
  readonly against: string;
  readonly min: number;
}

/** One thing to measure. Adding a store to the benchmark is adding one of these to {@link SUBJECTS}. */
export interface Subject {
  /** The name used on the command line (`--stores`) and in the JSON results. */
  readonly name: string;
  /** The short name printed in tables. */
  readonly label: string;
  /** One line for the legend: what exactly is measured. */
  readonly description: string;
  /** `store`: an express-session store (store level and HTTP); `raw`: a bare client (get/set only). */
  readonly kind: 'store' | 'raw';
  /** The subject whose figures this one is divided by (e.g. the store it replaces); run with it. */
  readonly anchor?: string;
  /** The raw client subject of the same client family, for "% of raw"; run with it. */
  readonly raw?: string;
  /** Goals checked and printed after the tables. */
  readonly targets?: readonly Target[];
  /** Builds a fresh, empty, ready instance. Throw {@link SubjectUnavailable} to skip with a reason. */
  create(ctx: SubjectContext): Promise<SubjectInstance>;
}

const TTL_SECONDS = 86_400;

function atLeast(min: number, against: string, ...ops: OpName[]): Target[] {
  return ops.map((op) => ({ op, against, min }));
}

function storeInstance(store: Store, ops: StoreOps, close: () => Promise<void>): SubjectInstance {
  return { store, ops, close };
}

/** The store class of `@session-stores/redis-store`, loaded only when asked for: it may not be built yet. */
type RedisStoreClass = new (options: {
  client: unknown;
  prefix: string;
}) => Store & { close?(): Promise<void> };

function loadRedisStore(): RedisStoreClass {
  let loaded: { RedisStore?: unknown; default?: { RedisStore?: unknown } };
  try {
    loaded = require('@session-stores/redis-store');
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SubjectUnavailable(
      `@session-stores/redis-store did not load (${why}); build it: pnpm --filter @session-stores/redis-store build`,
    );
  }
  const cls = loaded.RedisStore ?? loaded.default?.RedisStore;
  if (typeof cls !== 'function')
    throw new SubjectUnavailable('@session-stores/redis-store exports no RedisStore');
  return cls as RedisStoreClass;
}

/** Builds our RedisStore on a client the factory owns: the store is closed first, then the client. */
async function redisStoreOn<C>(
  ctx: SubjectContext,
  connect: (url: string) => Promise<C>,
  disconnect: (client: C) => Promise<void>,
): Promise<SubjectInstance> {
  const RedisStore = loadRedisStore();
  const client = await connect(await ctx.redisUrl());
  try {
    const store = new RedisStore({ client, prefix: ctx.prefix });
    return storeInstance(store, promiseOps(store), async () => {
      await store.close?.();
      await disconnect(client);
    });
  } catch (err) {
    await disconnect(client);
    throw err;
  }
}

/** Issue 3's speed goals for our Redis store (the same for both client families except the raw anchor). */
function redisStoreTargets(family: 'node-redis' | 'ioredis'): Target[] {
  return [
    ...(family === 'node-redis'
      ? atLeast(1.0, 'connect-redis', 'set', 'get', 'touch', 'destroy')
      : atLeast(1.5, 'connect-redis', 'set', 'get')),
    ...atLeast(2.0, 'connect-redis', 'all', 'length', 'clear'),
    ...atLeast(0.85, family === 'node-redis' ? 'raw-node-redis' : 'raw-ioredis', 'set', 'get'),
  ];
}

/** Every subject the benchmark knows, anchors first. */
export const SUBJECTS: readonly Subject[] = [
  {
    name: 'express-memory',
    label: 'express-session memory',
    description: "express-session's own MemoryStore (callback API): the anchor for our in-memory store",
    kind: 'store',
    create: async () => {
      const store = new expressSession.MemoryStore();
      return storeInstance(store, callbackOps(store), async () => {});
    },
  },
  {
    name: 'memory',
    label: 'core memory',
    description: 'MemoryStore of @session-stores/core (promise API)',
    kind: 'store',
    anchor: 'express-memory',
    create: async (ctx) => {
      const store = new MemoryStore({ prefix: ctx.prefix });
      return storeInstance(store, promiseOps(store), () => store.close());
    },
  },
  {
    name: 'connect-redis',
    label: 'connect-redis',
    description: 'connect-redis 10 with a node-redis 5 client (promise API): the anchor for our Redis store',
    kind: 'store',
    create: async (ctx) => {
      const client = await connectNodeRedis(await ctx.redisUrl());
      const store = new ConnectRedisStore({ client, prefix: ctx.prefix, ttl: TTL_SECONDS });
      return storeInstance(store, promiseOps(store), () => closeNodeRedis(client));
    },
  },
  {
    name: 'redis-node',
    label: 'redis-store(node-redis)',
    description: 'RedisStore of @session-stores/redis-store with a node-redis 5 client',
    kind: 'store',
    anchor: 'connect-redis',
    raw: 'raw-node-redis',
    targets: redisStoreTargets('node-redis'),
    create: (ctx) => redisStoreOn(ctx, connectNodeRedis, closeNodeRedis),
  },
  {
    name: 'redis-ioredis',
    label: 'redis-store(ioredis)',
    description: 'RedisStore of @session-stores/redis-store with an ioredis 5 client (auto-pipelining on)',
    kind: 'store',
    anchor: 'connect-redis',
    raw: 'raw-ioredis',
    targets: redisStoreTargets('ioredis'),
    create: (ctx) => redisStoreOn(ctx, connectIoredis, closeIoredis),
  },
  {
    name: 'raw-node-redis',
    label: 'raw node-redis',
    description:
      'node-redis 5 GET / SET EX of the precomputed session JSON: the ceiling for node-redis stores',
    kind: 'raw',
    create: async (ctx) => {
      const client = await connectNodeRedis(await ctx.redisUrl());
      const expiration = { type: 'EX', value: TTL_SECONDS } as const;
      const ops: StoreOps = {
        api: 'client',
        set: async (item) => {
          await client.set(ctx.prefix + item.id, item.json, { expiration });
        },
        get: (id) => client.get(ctx.prefix + id),
      };
      return { ops, close: () => closeNodeRedis(client) };
    },
  },
  {
    name: 'raw-ioredis',
    label: 'raw ioredis',
    description:
      'ioredis 5 (auto-pipelining) GET / SET EX of the precomputed session JSON: the ceiling for ioredis',
    kind: 'raw',
    create: async (ctx) => {
      const client = await connectIoredis(await ctx.redisUrl());
      const ops: StoreOps = {
        api: 'client',
        set: async (item) => {
          await client.set(ctx.prefix + item.id, item.json, 'EX', TTL_SECONDS);
        },
        get: (id) => client.get(ctx.prefix + id),
      };
      return { ops, close: () => closeIoredis(client) };
    },
  },
];

/** Names that stand for several subjects on the command line. */
export const SUBJECT_GROUPS: Readonly<Record<string, readonly string[]>> = {
  all: SUBJECTS.map((s) => s.name),
  raw: ['raw-node-redis', 'raw-ioredis'],
  'redis-store': ['redis-node', 'redis-ioredis'],
  redis: ['connect-redis', 'redis-node', 'redis-ioredis', 'raw-node-redis', 'raw-ioredis'],
};

/** Looks a subject up by name. */
export function subjectNamed(name: string): Subject | undefined {
  return SUBJECTS.find((s) => s.name === name);
}
