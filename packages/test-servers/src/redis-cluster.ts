import { execFile } from 'node:child_process';
import { freePort } from './free-port';
import { requireExecutable } from './install-hints';
import {
  ExternalRedisServer,
  type LocalRedisServer,
  type RedisServer,
  startLocalRedis,
} from './redis-server';
import { parseRedisUrlList } from './redis-url';
import { redisMajorVersion } from './redis-version';
import { waitUntil } from './wait-until';

/** A Redis Cluster of three masters (no replicas) for a test. */
export interface RedisCluster {
  /** Seed nodes, one per master. */
  nodes: { host: string; port: number }[];
  /** The same nodes as `redis://host:port` URLs. */
  urls: string[];
  /** One handle per node (for `command`, and `kill`/`restart` when started by the tests). */
  servers: RedisServer[];
  source: 'env' | 'binary';
  /** Stops every node the tests started. No-op for an env cluster. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Environment to resolve `REDIS_CLUSTER_URLS` and `PATH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const MASTERS = 3;

function runRedisCli(binary: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-10).join('\n');
      reject(new Error(`redis-cli ${args.join(' ')} failed: ${error.message}\n${output}`));
    });
  });
}

function clusterOf(
  servers: RedisServer[],
  source: RedisCluster['source'],
  stop: () => Promise<void>,
): RedisCluster {
  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    urls: servers.map((s) => s.url),
    servers,
    source,
    stop,
  };
}

/**
 * Returns a Redis Cluster for a test: the seed nodes in `REDIS_CLUSTER_URLS` when set, else three
 * `redis-server --cluster-enabled yes` masters on free loopback ports (each with its own cluster bus
 * port and nodes.conf in a temp dir), joined by `redis-cli --cluster create`, once every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const env = options.env ?? process.env;
  if (env.REDIS_CLUSTER_URLS) {
    const servers = parseRedisUrlList(env.REDIS_CLUSTER_URLS).map(
      (e) => new ExternalRedisServer(e, 'REDIS_CLUSTER_URLS'),
    );
    return clusterOf(servers, 'env', async () => {});
  }
  const server = requireExecutable('redis-server', env, 'REDIS_CLUSTER_URLS');
  const cli = requireExecutable('redis-cli', env, 'REDIS_CLUSTER_URLS');

  const servers: LocalRedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    // Redis 7 takes an explicit bus port (port + 10000 may be taken); Redis 6 always uses port + 10000.
    const explicitBus = redisMajorVersion(server) >= 7;
    const started = await Promise.allSettled(
      Array.from({ length: MASTERS }, () =>
        startLocalRedis(
          env,
          async () => [
            '--cluster-enabled',
            'yes',
            ...(explicitBus ? ['--cluster-port', String(await freePort())] : []),
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
            // A lost master takes only its own slots down, for as long as a test needs: with full
            // coverage required (Redis's default) the others refuse every key (CLUSTERDOWN) once
            // the node timeout has passed, which a busy machine reaches before a test's next command.
            '--cluster-require-full-coverage',
            'no',
            '--cluster-announce-ip',
            '127.0.0.1',
          ],
          'redis-cluster',
          explicitBus ? undefined : 65_535 - 10_000,
        ),
      ),
    );
    for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    await runRedisCli(cli, [
      '--cluster',
      'create',
      ...servers.map((s) => `${s.host}:${s.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitUntil(
      async () => {
        const infos = await Promise.all(servers.map((s) => s.command('CLUSTER', 'INFO')));
        return infos.every((info) => typeof info === 'string' && info.includes('cluster_state:ok'));
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'cluster_state:ok on every node' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return clusterOf(servers, 'binary', stop);
}
