import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createEncryptingSerializer,
  MemoryStore,
  type Serializer,
  subscribeStoreOperations,
} from '@session-stores/core';
import { whenReady } from '@session-stores/test-servers';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import expressSession, { type Store } from 'express-session';
import { AEROSPIKE_ANCHOR, loadAerospikeAnchor, withMaxAge } from './aerospike-anchor';
import { type SubjectContext, type SubjectInstance, SubjectUnavailable } from './context';
import { createPouchAnchor } from './pouch-anchor';
import { closeIoredis, closeNodeRedis, connectIoredis, connectNodeRedis } from './redis-clients';
import { callbackOps, promiseOps, type StoreOps } from './store-ops';
import { withoutChannels } from './without-channels';
import { ZeroCostStore } from './zero-cost-store';

/** The figures the benchmark produces per subject. */
export type OpName =
  | 'set'
  | 'get'
  | 'update'
  | 'touch'
  | 'get-missing'
  | 'destroy'
  | 'all'
  | 'length'
  | 'clear';

/** An HTTP scenario's figure as a target: `http-read` (GET /read), `http-write` (POST /write). */
export type HttpOpName = 'http-read' | 'http-write';

/**
 * A goal from an issue: `op` of this subject at least `min` times the rate of the same op of
 * `against`; or, with `metric: 'p99'`, its p99 latency at most `max` times that of `against`.
 * A store-level op compares store-level figures, an `http-*` op the HTTP scenario's req/s.
 */
export type Target =
  | {
      readonly op: OpName | HttpOpName;
      readonly against: string;
      readonly metric?: 'rate';
      readonly min: number;
    }
  | {
      readonly op: OpName | HttpOpName;
      readonly against: string;
      readonly metric: 'p99';
      readonly max: number;
    };

/** One thing to measure. Adding a store to the benchmark is adding one of these to {@link SUBJECTS}. */
export interface Subject {
  /** The name used on the command line (`--stores`) and in the JSON results. */
  readonly name: string;
  /** The short name printed in tables. */
  readonly label: string;
  /** One line for the legend: what exactly is measured. */
  readonly description: string;
  /**
   * `store`: an express-session store (store level and HTTP); `raw`: a bare client (get/set
   * only); `baseline`: one of issue 18's HTTP ceilings ({@link BASELINES}), HTTP only.
   */
  readonly kind: 'store' | 'raw' | 'baseline';
  /** The subject whose figures this one is divided by (e.g. the store it replaces); run with it. */
  readonly anchor?: string;
  /**
   * Built with core's `lastWriteWins: true`: its store declares `conditionalWrites` but saves
   * over whatever is stored (the overlap protection of issue 13 turned off), as the overlap
   * scenario's table says.
   */
  readonly lastWriteWins?: boolean;
  /** The raw client subject of the same client family, for "% of raw"; run with it. */
  readonly raw?: string;
  /** Goals checked and printed after the tables. */
  readonly targets?: readonly Target[];
  /**
   * Operations of a store known to get them wrong, with the reason: they are not timed (a
   * failed check would hide every other figure of the subject), but each is run once with
   * the check its timed phase would make, and the outcome is printed.
   */
  readonly untimed?: Partial<Record<'length' | 'all' | 'destroy' | 'clear' | 'underscore-id', string>>;
  /** A caveat printed under the table of an operation. */
  readonly notes?: Partial<Record<OpName, string>>;
  /** For a store with an in-process cache: measure the heap of `--sessions` cached sessions. */
  readonly cacheProbe?: CacheProbe;
  /** Builds a fresh, empty, ready instance. Throw {@link SubjectUnavailable} to skip with a reason. */
  create(ctx: SubjectContext): Promise<SubjectInstance>;
}

/** How to measure the memory of a store's cached sessions (see `cache-memory.ts`). */
export interface CacheProbe {
  /** How many sessions the instance's cache holds. */
  cached(instance: SubjectInstance): number;
  /** Other configurations measured the same way, e.g. with the cache off, to tell the cache from the rest. */
  readonly variants?: ReadonlyArray<{ name: string; create(ctx: SubjectContext): Promise<SubjectInstance> }>;
}

const TTL_SECONDS = 86_400;

function atLeast(min: number, against: string, ...ops: Array<OpName | HttpOpName>): Target[] {
  return ops.map((op) => ({ op, against, min }));
}

function p99AtMost(max: number, against: string, ...ops: OpName[]): Target[] {
  return ops.map((op) => ({ op, against, metric: 'p99' as const, max }));
}

function storeInstance(store: Store, ops: StoreOps, close: () => Promise<void>): SubjectInstance {
  return { store, ops, close };
}

/** A store class of ours, loaded only when asked for: its package may not be built yet. */
export function loadStoreClass<C>(pkg: string, name: string): C {
  let loaded: Record<string, unknown> & { default?: Record<string, unknown> };
  try {
    loaded = require(pkg);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SubjectUnavailable(`${pkg} did not load (${why}); build it: pnpm --filter ${pkg} build`);
  }
  const cls = loaded[name] ?? loaded.default?.[name];
  if (typeof cls !== 'function') throw new SubjectUnavailable(`${pkg} exports no ${name}`);
  return cls as C;
}

/** The store class of `@session-stores/redis-store`. */
type RedisStoreClass = new (options: {
  client: unknown;
  prefix: string;
  lastWriteWins?: boolean;
  touchMargin?: number;
  clientCache?: boolean;
  serializer?: Serializer;
}) => Store & { close?(): Promise<void>; readonly clientCacheLive?: boolean };

/** What the subjects turn on in our RedisStore: issue 18's means (`-fast`), encryption, the protection off. */
interface RedisStoreExtras {
  lastWriteWins?: boolean;
  touchMargin?: number;
  clientCache?: boolean;
  serializer?: Serializer;
}

function loadRedisStore(): RedisStoreClass {
  return loadStoreClass<RedisStoreClass>('@session-stores/redis-store', 'RedisStore');
}

/** The options of `@session-stores/pouch-store` used here. */
interface PouchOptions {
  maxIdle?: number;
  serializer?: Serializer;
  touchMargin?: number;
  /** An `http(s)://` URL: the store is on the CouchDB API. */
  database?: string;
}

/** The store class of `@session-stores/pouch-store` (the options used here). */
type PouchStoreClass = new (
  options?: PouchOptions,
) => Store & {
  readonly cachedSessions: number;
  ready(): Promise<void>;
  close(): Promise<void>;
};

/** Our PouchStore on its default private in-memory database; `options` only for the variants. */
async function pouchStore(options?: PouchOptions): Promise<SubjectInstance> {
  const PouchStore = loadStoreClass<PouchStoreClass>('@session-stores/pouch-store', 'PouchStore');
  const store = await whenReady(options ? new PouchStore(options) : new PouchStore());
  return storeInstance(store, promiseOps(store), () => store.close());
}

/**
 * Our PouchStore on the CouchDB API (the run's express-pouchdb server, see
 * `SubjectContext.couchUrl`), in a database of its own, deleted when the instance closes.
 */
async function pouchCouchStore(ctx: SubjectContext, touchMargin?: number): Promise<SubjectInstance> {
  const base = await ctx.couchUrl();
  // CouchDB database names: lowercase letters, digits and a few signs, starting with a letter.
  const name = `bench-${ctx.prefix.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/-+$/, '');
  const database = `${base}${name}`;
  const instance = await pouchStore({ database, ...(touchMargin === undefined ? {} : { touchMargin }) });
  return {
    ...instance,
    close: async () => {
      try {
        await instance.close();
      } finally {
        await fetch(database, { method: 'DELETE' }).catch(() => undefined);
      }
    },
  };
}

/** The store class of `@session-stores/aerospike-store` (the options used here). */
type AerospikeStoreClass = new (options: {
  hosts: string;
  namespace: string;
  set: string;
  serializer?: Serializer;
  touchMargin?: number;
}) => Store & {
  ready(): Promise<void>;
  close(): Promise<void>;
};

/** What the aerospike subjects turn on: encryption (`-encrypted`), issue 18's `touchMargin` (`-fast`). */
interface AerospikeSubjectOptions {
  serializer?: Serializer;
  touchMargin?: number;
}

/** Our AerospikeStore, its own client, on the run's Aerospike target. */
async function aerospikeStore(
  ctx: SubjectContext,
  { serializer, touchMargin }: AerospikeSubjectOptions = {},
): Promise<SubjectInstance> {
  const AerospikeStore = loadStoreClass<AerospikeStoreClass>(
    '@session-stores/aerospike-store',
    'AerospikeStore',
  );
  const target = await ctx.aerospike();
  const store = await whenReady(
    new AerospikeStore({
      hosts: target.hosts,
      namespace: target.namespace,
      set: target.set,
      ...(serializer ? { serializer } : {}),
      ...(touchMargin === undefined ? {} : { touchMargin }),
    }),
  );
  return storeInstance(store, promiseOps(store), () => store.close());
}

/**
 * The serializer of the `*-encrypted` subjects: core's AES-256-GCM encryption at rest, with
 * a key made for the run (an old key listed too, as during a rotation).
 */
function encryptingSerializer(): Serializer {
  return createEncryptingSerializer({
    keys: [
      { id: 'bench', key: randomBytes(32) },
      { id: 'old', key: randomBytes(32) },
    ],
  });
}

/** A store of ours with a subscriber on every store channel while it lives (the cost when someone listens). */
function observed(instance: SubjectInstance): SubjectInstance {
  let operations = 0;
  const stop = subscribeStoreOperations({
    asyncEnd: () => {
      operations += 1;
    },
    error: () => undefined,
  });
  return {
    ...instance,
    close: async () => {
      stop();
      await instance.close();
      if (operations === 0) throw new Error('the subscriber saw no store operation');
    },
  };
}

/** Under the `touch` table of the encrypted subjects. */
const ENCRYPTED_TOUCH_NOTE =
  'touch with encryption: redis-store and expredis-replicated cannot splice the cookie into a ciphertext ' +
  'on the server, so they read, re-encrypt and write back with a compare-and-set (2 round trips instead of 1); ' +
  'aerospike-store encrypts the cookie bin on its own and still writes it in one operate; pouch-store ' +
  'always reads and writes back';

/** The part of the `aerospike` client the anchor's factory uses. */
interface AerospikeClientModule {
  connect(config: { hosts: string }): Promise<{ close(): void }>;
}

/** AEROSPIKE_ERR_RECORD_NOT_FOUND */
const AEROSPIKE_NOT_FOUND = 2;

/**
 * aerospike-session-store 0.4.0's published code on our aerospike 6.7.1 client (see
 * `aerospike-anchor.ts`), given the client as its `client` option, as its README shows.
 */
async function aerospikeAnchor(ctx: SubjectContext): Promise<SubjectInstance> {
  const { factory } = loadAerospikeAnchor();
  const target = await ctx.aerospike();
  const Aerospike = require('aerospike') as AerospikeClientModule;
  const client = await Aerospike.connect({ hosts: target.hosts });
  try {
    const AnchorStore = factory(expressSession);
    const store = new AnchorStore({ client, namespace: target.namespace, set: target.set });
    const driven = callbackOps(store);
    const { touch, destroy } = driven;
    const ops: StoreOps = {
      ...driven,
      // Its TTL comes from cookie.maxAge, which express-session's Cookie has and plain objects lack.
      set: (item) => driven.set({ ...item, session: withMaxAge(item.session) }),
      touch: touch && ((item) => touch({ ...item, touched: withMaxAge(item.touched) })),
      // It passes "not found" on for a missing record (the benchmark's warm-up destroys missing ids).
      destroy:
        destroy &&
        (async (id) => {
          try {
            await destroy(id);
          } catch (err) {
            if ((err as { code?: unknown }).code !== AEROSPIKE_NOT_FOUND) throw err;
          }
        }),
    };
    // Its close() closes the client it was given.
    return storeInstance(store, ops, async () => store.close());
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * Builds our RedisStore on a client the factory owns: the store is closed first, then the
 * client. `lastWriteWins: true` turns the overlap protection (issue 13) off.
 */
async function redisStoreOn<C>(
  ctx: SubjectContext,
  connect: (url: string) => Promise<C>,
  disconnect: (client: C) => Promise<void>,
  extra: RedisStoreExtras = {},
  adapt: (store: RedisStoreClass) => RedisStoreClass = (store) => store,
): Promise<SubjectInstance> {
  const RedisStore = adapt(loadRedisStore());
  const client = await connect(await ctx.redisUrl());
  try {
    const store = new RedisStore({ client, prefix: ctx.prefix, ...extra });
    // The cache serves once its tracking connection is up: measure it serving.
    for (let waited = 0; extra.clientCache && !store.clientCacheLive; waited += 10) {
      if (waited > 10_000) throw new SubjectUnavailable('the client cache did not go live within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return storeInstance(store, promiseOps(store), async () => {
      await store.close?.();
      await disconnect(client);
    });
  } catch (err) {
    await disconnect(client);
    throw err;
  }
}

/** The store class of `@session-stores/expredis-replicated` (the options used here). */
type ReplicatedStoreClass = new (options: {
  clients: ReadonlyArray<{ url: string }>;
  prefix: string;
  writeQuorum: 'majority';
  readPolicy: 'first';
  serializer?: Serializer;
  touchMargin?: number;
}) => Store & {
  ready(timeoutMs?: number): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
};

/** Replicas of the replicated subjects, and the delay of the slow one's proxy (each direction). */
const REPLICAS = 3;
const SLOW_REPLICA_DELAY_MS = 50;

/** A delay proxy in a child process (`delay-proxy-process.ts`), off the measured event loop. */
async function delayProxyProcess(
  target: { host: string; port: number },
  delayMs: number,
): Promise<{ host: string; port: number; stop(): Promise<void> }> {
  const child = fork(
    join(__dirname, 'delay-proxy-process.ts'),
    [target.host, String(target.port), String(delayMs)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const reply = await new Promise<{ host?: string; port?: number; error?: string }>((resolve) => {
    child.once('message', (message: { host?: string; port?: number; error?: string }) => resolve(message));
    child.once('exit', (code) => resolve({ error: `the delay proxy process exited (${code})` }));
  });
  if (!reply.port || !reply.host) {
    await stop();
    throw new Error(`delay proxy: ${reply.error ?? 'no port'}`);
  }
  return { host: reply.host, port: reply.port, stop };
}

/**
 * Issue 4: our ReplicatedStore on the run's three independent redis-servers, with clients
 * the store makes (node-redis), `writeQuorum: 'majority'`, `readPolicy: 'first'`. With
 * `slowMs`, the last replica is reached through `startDelayProxy` (that many ms per chunk and
 * direction), run in a child process so that it does not share the measured event loop. Loaded lazily: the package may not be built yet.
 */
async function replicatedStore(
  ctx: SubjectContext,
  slowMs: number,
  serializer?: Serializer,
  touchMargin?: number,
): Promise<SubjectInstance> {
  const ReplicatedStore = loadStoreClass<ReplicatedStoreClass>(
    '@session-stores/expredis-replicated',
    'ReplicatedStore',
  );
  const servers = await ctx.redisGroup(REPLICAS);
  let proxy: Awaited<ReturnType<typeof delayProxyProcess>> | undefined;
  const urls = servers.map((s) => s.url);
  const last = servers[servers.length - 1];
  if (slowMs > 0 && last) {
    proxy = await delayProxyProcess({ host: last.host, port: last.port }, slowMs);
    urls[urls.length - 1] = `redis://${proxy.host}:${proxy.port}`;
  }
  let store: InstanceType<ReplicatedStoreClass> | undefined;
  const close = async (): Promise<void> => {
    try {
      if (store) {
        await store.idle();
        await store.close();
      }
    } finally {
      await proxy?.stop();
    }
  };
  try {
    store = new ReplicatedStore({
      clients: urls.map((url) => ({ url })),
      prefix: ctx.prefix,
      writeQuorum: 'majority',
      readPolicy: 'first',
      ...(serializer ? { serializer } : {}),
      ...(touchMargin === undefined ? {} : { touchMargin }),
    });
    await store.ready(10_000);
    const ops = promiseOps(store);
    if (slowMs > 0) {
      // Not measured with a slow replica: each SCAN page waits for it (a first run took ~23 s per
      // length() over 10,000 sessions), and issue 4's goal for this case is the get p99 only.
      delete ops.length;
      delete ops.all;
      delete ops.clear;
    }
    return storeInstance(store, ops, close);
  } catch (err) {
    await close();
    throw err;
  }
}

/** The subject of our node-redis RedisStore with the overlap protection off. */
const REDIS_NODE_LWW = 'redis-node-lww';

/**
 * Our Redis store's goals: issue 18's (HTTP, at least 95% of the zero-cost store, both client
 * families), and for node-redis issue 13's cost of the overlap protection over HTTP: POST
 * /write (express-session loads the session, then saves it conditionally) at least 0.95x of the
 * same store with `lastWriteWins: true` and 0.9x of connect-redis; GET /read unchanged. (Issue
 * 3's store-level goals are gone: several proved wrong, e.g. bare ioredis is slower than
 * node-redis 5 here, and a store-level rate says little about a request.)
 */
function redisStoreTargets(family: 'node-redis' | 'ioredis'): Target[] {
  return [
    ...NEAR_ZERO_COST,
    ...(family === 'node-redis'
      ? [
          ...atLeast(0.95, REDIS_NODE_LWW, 'http-write', 'http-read'),
          ...atLeast(0.9, 'connect-redis', 'http-write'),
        ]
      : []),
  ];
}

/** Under the store-level `set` table of both redis-store(node-redis) subjects. */
const PLAIN_SET_NOTE =
  'store-level set writes sessions that were never loaded through get (plain objects): the plain SET ' +
  'path for both redis-store(node-redis) subjects; the conditional save of issue 13 is in "update" ' +
  '(get, then set of what get returned) and over HTTP (POST /write)';

/** Under the store-level `update` table. */
const UPDATE_NOTE =
  'update = get, then set of the object get returned (unchanged): the conditional save (compare-and-set ' +
  'script) on redis-store(node-redis), a plain SET with lastWriteWins: true and on connect-redis';

/** Issue 18's HTTP ceilings: the same app with no session middleware at all, and on a store that costs nothing. */
export const NO_SESSIONS = 'no-sessions';
export const ZERO_COST = 'zero-cost';
/** The baselines, added to every HTTP run of a store (unless `--no-anchors`). */
export const BASELINES: readonly string[] = [NO_SESSIONS, ZERO_COST];

/** Operations a baseline never runs (it is HTTP only); present because every instance has ops. */
const NO_OPS: StoreOps = { api: 'callback', set: async () => {}, get: async () => null };

/**
 * Issue 18's HTTP goal for our Redis store, with the overlap protection of issue 13 on: GET
 * /read and POST /write at least 95% of the zero-cost store's req/s.
 */
const NEAR_ZERO_COST: readonly Target[] = atLeast(0.95, ZERO_COST, 'http-read', 'http-write');

/** Every subject the benchmark knows, baselines and anchors first. */
export const SUBJECTS: readonly Subject[] = [
  {
    name: NO_SESSIONS,
    label: 'express, no sessions',
    description:
      'the same express app and routes without express-session (HTTP only): what express costs alone',
    kind: 'baseline',
    create: async () => ({ ops: NO_OPS, close: async () => {} }),
  },
  {
    name: ZERO_COST,
    label: 'zero-cost store',
    description:
      'express-session on a store whose get answers at once with a fixed session and whose set/touch ' +
      'do nothing (HTTP only): the most any store can reach under express-session',
    kind: 'baseline',
    create: async () => {
      const store = new ZeroCostStore();
      return storeInstance(store, NO_OPS, async () => {});
    },
  },
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
    name: 'pouch-anchor',
    label: 'session-pouchdb-store',
    description:
      'session-pouchdb-store 0.4.1, in-memory (callback API; WRITE-BEHIND: set resolves before storing; ' +
      'timers stopped by the bench at close)',
    kind: 'store',
    untimed: {
      destroy: 'broken in 0.4.1: it calls pouch.remove(undefined), and a stored session comes back',
      clear: 'deletes the documents but not its cache, which still returns the sessions',
      length: 'counts the documents stored so far, and its writes are stored up to 1 s later',
      all: 'returns the raw documents stored so far, without ids',
      'underscore-id':
        'PouchDB refuses ids starting with _ (1 in 64 of express-session ids): its commit loop dies, ' +
        'so the benchmark ids never start with _',
    },
    create: async () => createPouchAnchor(),
  },
  {
    name: 'pouch',
    label: 'pouch-store',
    description:
      'PouchStore of @session-stores/pouch-store, default new PouchStore(): private in-memory database',
    kind: 'store',
    anchor: 'pouch-anchor',
    notes: {
      get:
        'pouch-store and session-pouchdb-store both answer get from a warm in-process cache ' +
        '(every session was just written); pouch-store decodes a fresh copy, the anchor returns its cached object',
      set:
        'session-pouchdb-store acknowledges set BEFORE storing it (write-behind: its commit loop writes ' +
        'every second, during the following phases); pouch-store resolves once PouchDB has stored it',
      touch: 'session-pouchdb-store: write-behind as for set',
    },
    cacheProbe: {
      cached: (instance) => (instance.store as InstanceType<PouchStoreClass>).cachedSessions,
      variants: [{ name: 'cache off (maxIdle: 0)', create: () => pouchStore({ maxIdle: 0 }) }],
    },
    create: () => pouchStore(),
  },
  {
    name: 'pouch-fast',
    label: 'pouch-store (fast)',
    description:
      "the pouch subject with issue 18's means on: touchMargin 0.1 (reads report the document's " +
      'expiresAt, so touches it covers write no revision)',
    kind: 'store',
    anchor: 'pouch',
    create: () => pouchStore({ touchMargin: 0.1 }),
  },
  {
    name: 'pouch-couch',
    label: 'pouch-store (CouchDB API)',
    description:
      'PouchStore on the CouchDB API: express-pouchdb (in-memory PouchDB) of @session-stores/test-servers ' +
      'in a child process on loopback, one database per instance; the store keeps its in-process cache',
    kind: 'store',
    create: (ctx) => pouchCouchStore(ctx),
  },
  {
    name: 'pouch-couch-fast',
    label: 'pouch-store (CouchDB API, fast)',
    description: 'the pouch-couch subject with touchMargin 0.1',
    kind: 'store',
    anchor: 'pouch-couch',
    create: (ctx) => pouchCouchStore(ctx, 0.1),
  },
  {
    name: 'aerospike-anchor',
    label: 'aerospike-session-store',
    description: `${AEROSPIKE_ANCHOR.name} ${AEROSPIKE_ANCHOR.version}'s published code on aerospike 6.7.1 (callback API)`,
    kind: 'store',
    create: aerospikeAnchor,
  },
  {
    name: 'aerospike',
    label: 'aerospike-store',
    description: 'AerospikeStore of @session-stores/aerospike-store, its own aerospike 6.7.1 client',
    kind: 'store',
    anchor: 'aerospike-anchor',
    create: (ctx) => aerospikeStore(ctx),
  },
  {
    name: 'aerospike-fast',
    label: 'aerospike-store(fast)',
    description:
      "the same as aerospike-store with issue 18's means on: touchMargin 0.1 (get reports the record's " +
      'expiry from the TTL its reply carries; touches that expiry covers send nothing)',
    kind: 'store',
    anchor: 'aerospike-anchor',
    create: (ctx) => aerospikeStore(ctx, { touchMargin: 0.1 }),
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
    notes: { set: PLAIN_SET_NOTE, update: UPDATE_NOTE },
    create: (ctx) => redisStoreOn(ctx, connectNodeRedis, closeNodeRedis),
  },
  {
    name: REDIS_NODE_LWW,
    label: 'redis-store(node-redis, lww)',
    description:
      'the same with lastWriteWins: true (issue 13: the overlap protection off, plain SET of every save); ' +
      'its "vs anchor" is its rate over redis-store(node-redis)\'s',
    kind: 'store',
    anchor: 'redis-node',
    raw: 'raw-node-redis',
    lastWriteWins: true,
    create: (ctx) => redisStoreOn(ctx, connectNodeRedis, closeNodeRedis, { lastWriteWins: true }),
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
    name: 'redis-node-fast',
    label: 'redis-store(node-redis, fast)',
    description:
      'the same as redis-store(node-redis) with touchMargin 0.1 (touches the stored expiry covers are ' +
      'skipped; get sends PTTL with GET)',
    kind: 'store',
    anchor: 'connect-redis',
    raw: 'raw-node-redis',
    targets: NEAR_ZERO_COST,
    create: (ctx) => redisStoreOn(ctx, connectNodeRedis, closeNodeRedis, { touchMargin: 0.1 }),
  },
  {
    name: 'redis-node-cached',
    label: 'redis-store(node-redis, fast + cache)',
    description:
      'redis-store(node-redis, fast) with clientCache too (maxAgeMs 1000, kept right by client tracking): ' +
      'a session is served from memory only when it is read again within maxAgeMs',
    kind: 'store',
    anchor: 'connect-redis',
    raw: 'raw-node-redis',
    create: (ctx) =>
      redisStoreOn(ctx, connectNodeRedis, closeNodeRedis, { touchMargin: 0.1, clientCache: true }),
  },
  {
    name: 'redis-ioredis-fast',
    label: 'redis-store(ioredis, fast)',
    description: 'the same as redis-store(ioredis) with touchMargin 0.1 (clientCache is node-redis only)',
    kind: 'store',
    anchor: 'connect-redis',
    raw: 'raw-ioredis',
    targets: NEAR_ZERO_COST,
    create: (ctx) => redisStoreOn(ctx, connectIoredis, closeIoredis, { touchMargin: 0.1 }),
  },
  {
    name: 'replicated-3',
    label: 'expredis-replicated(3)',
    description:
      'ReplicatedStore of @session-stores/expredis-replicated on 3 independent redis-servers ' +
      '(node-redis clients made by the store), writeQuorum majority, readPolicy first',
    kind: 'store',
    anchor: 'redis-node',
    targets: [...atLeast(0.6, 'redis-node', 'set'), ...atLeast(0.9, 'redis-node', 'get')],
    notes: {
      set: 'expredis-replicated(3*) writes to 3 servers and resolves at 2 acks (majority); redis-store(node-redis) writes to 1',
    },
    create: (ctx) => replicatedStore(ctx, 0),
  },
  {
    name: 'replicated-3-fast',
    label: 'expredis-replicated(3, fast)',
    description:
      'the replicated-3 subject with touchMargin 0.1: a read sends PTTL with its GET and PTTL alone to one ' +
      'more server, and a touch is skipped while 2 servers (the write quorum) keep the session long enough',
    kind: 'store',
    anchor: 'replicated-3',
    create: (ctx) => replicatedStore(ctx, 0, undefined, 0.1),
  },
  {
    name: 'replicated-3-slow',
    label: 'expredis-replicated(3, 1 slow)',
    description:
      `the same, its 3rd replica behind startDelayProxy(..., ${SLOW_REPLICA_DELAY_MS}) ` +
      `(+${SLOW_REPLICA_DELAY_MS} ms each way): the fastest answer should win. length/all/clear not run ` +
      '(each SCAN page waits for the slow replica: ~23 s per length() of 10,000 sessions in a first run)',
    kind: 'store',
    anchor: 'replicated-3',
    targets: p99AtMost(2, 'replicated-3', 'get'),
    notes: {
      'get-missing': `expredis-replicated(3, 1 slow): a miss waits for every replica, the slow one included (~${2 * SLOW_REPLICA_DELAY_MS} ms)`,
    },
    create: (ctx) => replicatedStore(ctx, SLOW_REPLICA_DELAY_MS),
  },
  {
    name: 'memory-encrypted',
    label: 'core memory (encrypted)',
    description: 'MemoryStore with the encrypting serializer of @session-stores/core (AES-256-GCM)',
    kind: 'store',
    anchor: 'memory',
    create: async (ctx) => {
      const store = new MemoryStore({ prefix: ctx.prefix, serializer: encryptingSerializer() });
      return storeInstance(store, promiseOps(store), () => store.close());
    },
  },
  {
    name: 'redis-node-encrypted',
    label: 'redis-store(node-redis, encrypted)',
    description:
      'RedisStore with a node-redis 5 client and the encrypting serializer of @session-stores/core',
    kind: 'store',
    anchor: 'redis-node',
    notes: { touch: ENCRYPTED_TOUCH_NOTE },
    create: (ctx) =>
      redisStoreOn(ctx, connectNodeRedis, closeNodeRedis, { serializer: encryptingSerializer() }),
  },
  {
    name: 'replicated-3-encrypted',
    label: 'expredis-replicated(3, encrypted)',
    description: 'the replicated-3 subject with the encrypting serializer of @session-stores/core',
    kind: 'store',
    anchor: 'replicated-3',
    notes: { touch: ENCRYPTED_TOUCH_NOTE },
    create: (ctx) => replicatedStore(ctx, 0, encryptingSerializer()),
  },
  {
    name: 'pouch-encrypted',
    label: 'pouch-store (encrypted)',
    description: 'the pouch subject with the encrypting serializer of @session-stores/core',
    kind: 'store',
    anchor: 'pouch',
    notes: { touch: ENCRYPTED_TOUCH_NOTE },
    create: () => pouchStore({ serializer: encryptingSerializer() }),
  },
  {
    name: 'aerospike-encrypted',
    label: 'aerospike-store (encrypted)',
    description: 'the aerospike subject with the encrypting serializer of @session-stores/core',
    kind: 'store',
    anchor: 'aerospike',
    notes: { touch: ENCRYPTED_TOUCH_NOTE },
    create: (ctx) => aerospikeStore(ctx, { serializer: encryptingSerializer() }),
  },
  {
    name: 'memory-no-channels',
    label: 'core memory (no channel code)',
    description:
      "MemoryStore with its telemetry hook stubbed out (no channel lookup): the anchor of issue 17's " +
      '"no measurable cost when nobody subscribes"; its "vs anchor" is its rate over memory\'s',
    kind: 'store',
    anchor: 'memory',
    create: async (ctx) => {
      const Store = withoutChannels(MemoryStore);
      const store = new (Store as unknown as typeof MemoryStore)({ prefix: ctx.prefix });
      return storeInstance(store, promiseOps(store), () => store.close());
    },
  },
  {
    name: 'memory-observed',
    label: 'core memory (subscribed)',
    description: 'MemoryStore with a subscriber on every store channel (subscribeStoreOperations, counting)',
    kind: 'store',
    anchor: 'memory',
    create: async (ctx) => {
      const store = new MemoryStore({ prefix: ctx.prefix });
      return observed(storeInstance(store, promiseOps(store), () => store.close()));
    },
  },
  {
    name: 'redis-node-no-channels',
    label: 'redis-store(node-redis, no channel code)',
    description:
      'redis-node with its telemetry hook stubbed out (no channel lookup); its "vs anchor" is its rate over redis-node\'s',
    kind: 'store',
    anchor: 'redis-node',
    create: (ctx) => redisStoreOn(ctx, connectNodeRedis, closeNodeRedis, {}, withoutChannels),
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
  baselines: BASELINES,
  raw: ['raw-node-redis', 'raw-ioredis'],
  'redis-store': [
    'redis-node',
    'redis-ioredis',
    'redis-node-fast',
    'redis-node-cached',
    'redis-ioredis-fast',
  ],
  fast: [
    'redis-node-fast',
    'redis-node-cached',
    'redis-ioredis-fast',
    'pouch-fast',
    'pouch-couch-fast',
    'aerospike-fast',
    'replicated-3-fast',
  ],
  'pouch-store': ['pouch', 'pouch-fast', 'pouch-couch', 'pouch-couch-fast'],
  'aerospike-store': ['aerospike', 'aerospike-fast'],
  redis: [
    'connect-redis',
    'redis-node',
    REDIS_NODE_LWW,
    'redis-ioredis',
    'redis-node-fast',
    'redis-node-cached',
    'redis-ioredis-fast',
    'raw-node-redis',
    'raw-ioredis',
  ],
  replicated: ['replicated-3', 'replicated-3-slow', 'replicated-3-fast'],
  'expredis-replicated': ['replicated-3', 'replicated-3-slow', 'replicated-3-fast'],
  /** Issue 17: the cost of the store channels, unobserved and observed, beside the store without channel code. */
  telemetry: ['memory-no-channels', 'memory-observed', 'redis-node-no-channels'],
  /** Issue 17: each store with encryption at rest, beside the same store without (its anchor). */
  encryption: [
    'memory-encrypted',
    'redis-node-encrypted',
    'replicated-3-encrypted',
    'pouch-encrypted',
    'aerospike-encrypted',
  ],
};

/** Looks a subject up by name. */
export function subjectNamed(name: string): Subject | undefined {
  return SUBJECTS.find((s) => s.name === name);
}
