import {
  deleteByPrefix,
  parseInfo,
  type RedisServer,
  startRedis,
  uniquePrefix,
} from '@session-stores/test-servers';
import { type SubjectContext, SubjectUnavailable } from './context';

/** A subject's context plus the cleanup of whatever it wrote on shared servers. */
export interface ContextHandle {
  readonly ctx: SubjectContext;
  /** Deletes the keys under the context's prefix on every server it used (SCAN + DEL, never FLUSHDB). */
  cleanup(): Promise<void>;
}

/**
 * The servers of one run, started on first use and shared by every subject (each with
 * its own prefix): a redis-server from PATH on a free loopback port, or `REDIS_URL`.
 */
export class BenchServers {
  private redis: Promise<RedisServer> | undefined;

  /** The Redis server, started once. */
  redisServer(): Promise<RedisServer> {
    this.redis ??= startRedis().catch((err: unknown) => {
      throw new SubjectUnavailable(`no Redis server: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.redis;
  }

  /** A fresh context for one instance of subject `name`. */
  contextFor(name: string): ContextHandle {
    const prefix = uniquePrefix(`bench-${name}`);
    let usedRedis = false;
    const ctx: SubjectContext = {
      prefix,
      redisUrl: async () => {
        usedRedis = true;
        return (await this.redisServer()).url;
      },
    };
    return {
      ctx,
      cleanup: async () => {
        if (usedRedis) await deleteByPrefix(await this.redisServer(), prefix);
      },
    };
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

  /** Stops what this run started (an env server is left alone). */
  async stop(): Promise<void> {
    if (!this.redis) return;
    try {
      await (await this.redis).stop();
    } catch {
      // Never started: nothing to stop.
    }
  }
}
