import { startAerospikeTestServer } from '@session-stores/aerospike-test-server';
import {
  deleteByPrefix,
  type RedisGroup,
  type RedisServer,
  startRedis,
  startRedisGroup,
  uniquePrefix,
} from '@session-stores/test-servers';
import type { SmokeServer } from './smokes';

/**
 * The servers the smoke scripts need, started on first use and shared by every
 * package: REDIS_URL when it is set (CI), else redis-server from PATH on a free
 * loopback port (`--save "" --appendonly no`), as in the tests; for a group of three,
 * REDIS_REPLICA_URLS or three more such servers; AEROSPIKE_HOSTS when set, else our
 * Aerospike wire-protocol test server.
 */
export class SmokeServers {
  /** The key prefix of this run (`SMOKE_KEY_PREFIX`); what the smokes leave behind is deleted by it. */
  readonly keyPrefix = uniquePrefix('release-check');
  private redis: Promise<RedisServer> | undefined;
  private redisGroup: Promise<RedisGroup> | undefined;
  private aerospike: Promise<{ hostsString: string; stop(): Promise<void> }> | undefined;

  /** The env variables (`SMOKE_REDIS_URL`, ...) for scripts needing `kinds`; starts what is missing. */
  async env(kinds: readonly SmokeServer[]): Promise<Record<string, string>> {
    const env: Record<string, string> = { SMOKE_KEY_PREFIX: this.keyPrefix };
    for (const kind of kinds) {
      if (kind === 'redis') {
        this.redis ??= startRedis();
        env.SMOKE_REDIS_URL = (await this.redis).url;
      }
      if (kind === 'redis-group') {
        this.redisGroup ??= startRedisGroup(3);
        env.SMOKE_REDIS_GROUP_URLS = (await this.redisGroup).servers.map((server) => server.url).join(',');
      }
      if (kind === 'aerospike') {
        const hosts = process.env.AEROSPIKE_HOSTS;
        this.aerospike ??= hosts
          ? Promise.resolve({ hostsString: hosts, stop: async () => undefined })
          : startAerospikeTestServer();
        env.SMOKE_AEROSPIKE_HOSTS = (await this.aerospike).hostsString;
      }
    }
    return env;
  }

  /** Stops what was started; on a server from REDIS_URL (never stopped), deletes this run's keys. */
  async stop(): Promise<void> {
    await (await this.aerospike?.catch(() => undefined))?.stop();
    const group = await this.redisGroup?.catch(() => undefined);
    if (group) {
      for (const server of group.servers)
        if (server.source === 'env') await deleteByPrefix(server, this.keyPrefix);
      await group.stop();
    }
    const redis = await this.redis?.catch(() => undefined);
    if (!redis) return;
    if (redis.source === 'env') await deleteByPrefix(redis, this.keyPrefix);
    await redis.stop();
  }
}
