import type { SessionData } from '@session-stores/core';
import type { ConformanceInspect } from '@session-stores/core/conformance';
import { userIndexKey } from '@session-stores/redis-store/connection';
import {
  type RedisServer,
  type RespReply,
  type Started,
  startRedisGroup,
  useStarted,
  whenReady,
} from '@session-stores/test-servers';
import type { RequestHandler } from 'express';
import { ReplicatedStore, type ReplicatedStoreOptions } from '../src';
import { readHeader } from '../src/envelope';

/** The part of express-session the tests use. */
export interface ExpressSessionModule {
  (options: {
    store: unknown;
    secret: string;
    resave: boolean;
    saveUninitialized: boolean;
    cookie?: { maxAge?: number };
  }): RequestHandler;
  readonly Store: abstract new (...args: never[]) => object;
}

/**
 * express-session, typed by hand: this package does not depend on @types/express-session
 * (the store itself gets the session types through @session-stores/core).
 */
export const expressSession = require('express-session') as ExpressSessionModule;

/** What the test apps keep in a session, and where express-session puts it on the request. */
export interface SessionRequest {
  session?: { user?: string; n?: number };
  sessionID: string;
}

/**
 * The kit runs' commandTimeout: its 1,000 parallel set+get once met the default 2000 ms on
 * three servers sharing two busy cores (the timeout has tests of its own).
 */
export const KIT_COMMAND_TIMEOUT_MS = 10_000;

/** A store that reaches its write quorum, as the kit expects from `createStore`. */
export function readyStore(options: ReplicatedStoreOptions): Promise<ReplicatedStore> {
  return whenReady(new ReplicatedStore(options));
}

/** `{ url }` configs for the servers, as an expredis `clients` option. */
export function urlsOf(servers: readonly RedisServer[]): Array<{ url: string }> {
  return servers.map((server) => ({ url: server.url }));
}

/**
 * Three redis-server processes of our own (never REDIS_REPLICA_URLS): these tests kill,
 * restart and slow them. Passing `args` is what makes startRedisGroup start its own.
 */
export function useOwnServers(count = 3): Started<RedisServer[]> {
  let stop: () => Promise<void> = async () => {};
  return useStarted(
    'redis group',
    async () => {
      const group = await startRedisGroup(count, { args: ['--appendonly', 'no'] });
      stop = group.stop;
      return group.servers;
    },
    () => stop(),
  );
}

/** A session as express-session hands it over, expiring in `maxAgeMs`. */
export function session(data: Record<string, unknown> = {}, maxAgeMs = 60_000): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' },
    ...data,
  } as unknown as SessionData;
}

/** A string reply, or null. */
export function text(reply: RespReply | undefined): string | null {
  return typeof reply === 'string' ? reply : null;
}

/** Whether a stored value is a live session (not missing, not a tombstone). */
export function isLive(value: string | null): boolean {
  return value !== null && readHeader(value).kind !== 'tombstone';
}

/** How many keys under `prefix` a server holds (SCAN, the prefix glob-escaped). */
export async function countKeys(server: RedisServer, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const reply = (await server.command('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000')) as [
      string,
      string[],
    ];
    cursor = reply[0];
    for (const key of reply[1]) seen.add(key);
  } while (cursor !== '0');
  return seen.size;
}

/** Foreign keys expire by themselves, so a shared server is left clean. */
const FOREIGN_TTL_MS = '600000';

/**
 * The kit's backend hooks, straight to the servers. Each first waits for the store to be
 * idle: a write resolves at its quorum, and the kit must see every server's final state.
 * A session exists when some server holds a live copy; its TTL is read on server 0.
 */
export function rawInspect(servers: () => readonly RedisServer[]): ConformanceInspect<ReplicatedStore> {
  const onAll = (...args: string[]) => Promise.all(servers().map((server) => server.command(...args)));
  return {
    corrupt: async (store, sid) => {
      await onAll('SET', store.prefix + sid, '{"cookie": tru', 'PX', FOREIGN_TTL_MS);
    },
    exists: async (store, sid) => {
      await store.idle();
      const values = await onAll('GET', store.prefix + sid);
      return values.some((value) => isLive(text(value)));
    },
    ttl: async (store, sid) => {
      await store.idle();
      const [server] = servers();
      const ms = Number(await server?.command('PTTL', store.prefix + sid));
      if (ms === -2) throw new Error(`no key for session ${sid}`);
      return ms === -1 ? null : ms;
    },
    writeForeign: async (_store, key) => {
      await onAll('SET', key, '{}', 'PX', FOREIGN_TTL_MS);
    },
    foreignExists: async (_store, key) => {
      const found = await onAll('EXISTS', key);
      return found.every((count) => Number(count) === 1);
    },
    indexedIds: async (store, user) => {
      await store.idle();
      const sets = await onAll('ZRANGE', userIndexKey(store.prefix, user), '0', '-1');
      return [...new Set(sets.flatMap((members) => (members as unknown[]).map(String)))];
    },
  };
}
