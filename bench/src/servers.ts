import type { startAerospikeTestServer } from '@session-stores/aerospike-test-server';
import {
  type CouchServer,
  deleteByPrefix,
  parseInfo,
  type RedisGroup,
  type RedisServer,
  startCouchServer,
  startRedis,
  startRedisGroup,
  uniquePrefix,
} from '@session-stores/test-servers';
import { type AerospikeTarget, type RedisEndpoint, type SubjectContext, SubjectUnavailable } from './context';

/** A subject's context plus the cleanup of whatever it wrote on shared servers. */
export interface ContextHandle {
  readonly ctx: SubjectContext;
  /** Deletes the keys under the context's prefix on every server it used (SCAN + DEL, never FLUSHDB). */
  cleanup(): Promise<void>;
}

/** The run's Aerospike server. */
interface AerospikeServer {
  readonly hosts: string;
  readonly namespace: string;
  readonly source: AerospikeTarget['source'];
  stop(): Promise<void>;
}

/** The part of the `aerospike` client used to clean a set up. */
interface AerospikeModule {
  connect(config: { hosts: string }): Promise<{
    truncate(ns: string, set: string, beforeNanos: number): Promise<void>;
    close(): void;
  }>;
}

/** `AEROSPIKE_HOSTS` (namespace `AEROSPIKE_NAMESPACE`, default `test`), else a test server in a worker thread. */
async function startAerospike(log: (line: string) => void): Promise<AerospikeServer> {
  const hosts = process.env.AEROSPIKE_HOSTS;
  const namespace = process.env.AEROSPIKE_NAMESPACE || 'test';
  if (hosts) {
    log(`Aerospike: ${hosts} (AEROSPIKE_HOSTS), namespace ${namespace}`);
    return { hosts, namespace, source: 'env', stop: async () => {} };
  }
  const start = (
    require('@session-stores/aerospike-test-server') as {
      startAerospikeTestServer: typeof startAerospikeTestServer;
    }
  ).startAerospikeTestServer;
  const server = await start();
  log(
    `Aerospike: AEROSPIKE_HOSTS is not set: started the TypeScript test server ` +
      `(@session-stores/aerospike-test-server, worker thread of this process) at ${server.hostsString}. ` +
      'Aerospike figures are for that test server, not a real Aerospike.',
  );
  return { hosts: server.hostsString, namespace: 'test', source: 'test-server', stop: () => server.stop() };
}

/** Truncates the set a subject used (never the namespace). */
async function truncateSet(server: AerospikeServer, set: string): Promise<void> {
  const Aerospike = require('aerospike') as AerospikeModule;
  const client = await Aerospike.connect({ hosts: server.hosts });
  try {
    await client.truncate(server.namespace, set, 0);
  } finally {
    client.close();
  }
}

/**
 * The servers of one run, started on first use and shared by every subject (each with
 * its own prefix): a redis-server from PATH on a free loopback port, or `REDIS_URL`; an
 * Aerospike server from `AEROSPIKE_HOSTS`, or the TypeScript test server.
 */
export class BenchServers {
  private redis: Promise<RedisServer> | undefined;
  private aerospike: Promise<AerospikeServer> | undefined;
  private readonly groups = new Map<number, Promise<RedisGroup>>();
  private couch: Promise<CouchServer> | undefined;

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** The Aerospike server, started once. */
  aerospikeServer(): Promise<AerospikeServer> {
    this.aerospike ??= startAerospike(this.log).catch((err: unknown) => {
      throw new SubjectUnavailable(
        `no Aerospike server: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return this.aerospike;
  }

  /** The Redis server, started once. */
  redisServer(): Promise<RedisServer> {
    this.redis ??= startRedis().catch((err: unknown) => {
      throw new SubjectUnavailable(`no Redis server: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.redis;
  }

  /** `count` independent Redis servers, started once per count (REDIS_REPLICA_URLS when it names enough). */
  redisGroup(count: number): Promise<RedisGroup> {
    let group = this.groups.get(count);
    if (!group) {
      group = startRedisGroup(count).catch((err: unknown) => {
        throw new SubjectUnavailable(
          `no group of ${count} Redis servers: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
      this.groups.set(count, group);
    }
    return group;
  }

  /**
   * The CouchDB-API server, started once: express-pouchdb (in-memory PouchDB) in a child
   * process of `@session-stores/test-servers`, as the pouch-store tests use, or `COUCHDB_URL`.
   */
  couchServer(): Promise<CouchServer> {
    this.couch ??= startCouchServer().then(
      (server) => {
        this.log(
          `CouchDB API: ${server.source === 'env' ? 'COUCHDB_URL' : 'express-pouchdb (in-memory PouchDB) in a child process'} at ${server.host}:${server.port}`,
        );
        return server;
      },
      (err: unknown) => {
        throw new SubjectUnavailable(
          `no CouchDB server: ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    );
    return this.couch;
  }

  /** A fresh context for one instance of subject `name`. */
  contextFor(name: string): ContextHandle {
    const prefix = uniquePrefix(`bench-${name}`);
    let usedRedis = false;
    let usedAerospike = false;
    const usedGroups = new Set<number>();
    // One set per subject (set names are few on a server, so not one per instance).
    const set = `bench-${name}`;
    const ctx: SubjectContext = {
      prefix,
      redisUrl: async () => {
        usedRedis = true;
        return (await this.redisServer()).url;
      },
      aerospike: async () => {
        usedAerospike = true;
        const { hosts, namespace, source } = await this.aerospikeServer();
        return { hosts, namespace, set, source };
      },
      redisGroup: async (count) => {
        usedGroups.add(count);
        const group = await this.redisGroup(count);
        return group.servers.map((s): RedisEndpoint => ({ url: s.url, host: s.host, port: s.port }));
      },
      couchUrl: async () => (await this.couchServer()).url,
    };
    return {
      ctx,
      cleanup: async () => {
        if (usedRedis) await deleteByPrefix(await this.redisServer(), prefix);
        if (usedAerospike) await truncateSet(await this.aerospikeServer(), set);
        for (const count of usedGroups) {
          for (const server of (await this.redisGroup(count)).servers) await deleteByPrefix(server, prefix);
        }
      },
    };
  }

  /**
   * Calls so far of each command (`cmdstat_<name>` of INFO commandstats, commands run by
   * scripts included) of the run's Redis server, or null when it was not started.
   */
  async redisCalls(): Promise<Record<string, number> | null> {
    if (!this.redis) return null;
    let server: RedisServer;
    try {
      server = await this.redis;
    } catch {
      return null;
    }
    const calls: Record<string, number> = {};
    for (const [key, value] of Object.entries(parseInfo(await server.command('INFO', 'commandstats')))) {
      const count = /(?:^|,)calls=(\d+)/.exec(value)?.[1];
      if (key.startsWith('cmdstat_') && count !== undefined)
        calls[key.slice('cmdstat_'.length)] = Number(count);
    }
    return calls;
  }

  /** `redis_version` of the server, or null when no Redis subject ran. */
  async redisVersion(): Promise<string | null> {
    if (!this.redis) return null;
    try {
      const server = await this.redis;
      return parseInfo(await server.command('INFO', 'server')).redis_version ?? null;
    } catch {
      return null;
    }
  }

  /** Where the Redis server came from, for the header. */
  async describeRedis(): Promise<string | null> {
    if (!this.redis) return null;
    try {
      const server = await this.redis;
      return `${server.url} (${server.source === 'env' ? 'REDIS_URL' : 'redis-server started for this run'})`;
    } catch {
      return null;
    }
  }

  /** Where the Aerospike server came from, for the header; null when no Aerospike subject ran. */
  async describeAerospike(): Promise<string | null> {
    if (!this.aerospike) return null;
    try {
      const server = await this.aerospike;
      return server.source === 'env'
        ? `${server.hosts} (AEROSPIKE_HOSTS), namespace ${server.namespace}`
        : `${server.hosts}: the TypeScript test server (@session-stores/aerospike-test-server) in a worker ` +
            'thread of this process, NOT a real Aerospike: Aerospike figures are for that test server';
    } catch {
      return null;
    }
  }

  /** Stops what this run started (an env server is left alone). */
  async stop(): Promise<void> {
    for (const server of [this.redis, this.aerospike, this.couch, ...this.groups.values()]) {
      if (!server) continue;
      try {
        await (await server).stop();
      } catch {
        // Never started: nothing to stop.
      }
    }
  }
}
