import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from './find-executable';
import { oneLineError, requireExecutable } from './install-hints';
import type { ManagedProcess } from './managed-process';
import { type RedisServer, startLocalRedis } from './redis-server';
import { pairsToRecord, parseInfo, respCommand } from './resp';
import { startRespProcess } from './resp-process';
import { makeTempDir, type TempDir } from './temp-dir';
import { waitUntil } from './wait-until';

/** A master, a replica and three sentinels watching them, for failover tests. */
export interface RedisSentinelSetup {
  /** The name the sentinels monitor the master under (`SENTINEL get-master-addr-by-name <masterName>`). */
  masterName: string;
  /** The server that is master at start. After a failover it is just a name: ask the sentinels. */
  master: RedisServer;
  /** The server that replicates the master at start, and is promoted when the master dies. */
  replica: RedisServer;
  /** The three sentinels, for a sentinel-aware client. */
  sentinels: { host: string; port: number }[];
  /** Stops the sentinels first (so they do not fail over during teardown), then both servers. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisSentinel}. */
export interface StartRedisSentinelOptions {
  /** Default `mymaster`. */
  masterName?: string;
  /** Environment to resolve `PATH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const HOST = '127.0.0.1';
const SENTINELS = 3;
const QUORUM = 2;

/**
 * How to run a sentinel here: the `redis-sentinel` binary, else `redis-server --sentinel` (the same
 * program in sentinel mode). `undefined` when neither is on PATH.
 */
export function sentinelCommand(
  env: NodeJS.ProcessEnv = process.env,
): { binary: string; extraArgs: string[] } | undefined {
  const sentinel = findExecutable('redis-sentinel', env);
  if (sentinel) return { binary: sentinel, extraArgs: [] };
  const server = findExecutable('redis-server', env);
  return server ? { binary: server, extraArgs: ['--sentinel'] } : undefined;
}

interface SentinelProcess {
  proc: ManagedProcess;
  port: number;
  dir: TempDir;
}

async function startSentinel(
  command: { binary: string; extraArgs: string[] },
  masterName: string,
  masterPort: number,
): Promise<SentinelProcess> {
  const dir = makeTempDir('redis-sentinel');
  const configFile = join(dir.path, 'sentinel.conf');
  const logFile = join(dir.path, 'sentinel.log');
  try {
    const { proc, port } = await startRespProcess({
      label: 'redis-sentinel',
      command: command.binary,
      cwd: dir.path,
      logFile,
      // Sentinel rewrites its config file at runtime, so it must be a private writable file.
      argsFor: (p) => {
        writeFileSync(
          configFile,
          [
            `port ${p}`,
            `bind ${HOST}`,
            'daemonize no',
            `dir ${dir.path}`,
            `logfile ${logFile}`,
            `sentinel monitor ${masterName} ${HOST} ${masterPort} ${QUORUM}`,
            // Short timings so a test sees a failover within a few seconds.
            `sentinel down-after-milliseconds ${masterName} 1000`,
            `sentinel failover-timeout ${masterName} 3000`,
            `sentinel parallel-syncs ${masterName} 1`,
            '',
          ].join('\n'),
        );
        return [configFile, ...command.extraArgs];
      },
    });
    return { proc, port, dir };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

/**
 * Starts one master, one replica and three sentinels (quorum 2, down-after 1 s, failover-timeout 3 s) on
 * free loopback ports, and resolves once every sentinel sees the replica and the two other sentinels,
 * so killing the master leads to a failover within a few seconds. Binaries only: there is no env form,
 * because failover tests must be able to kill the master.
 */
export async function startRedisSentinel(
  options: StartRedisSentinelOptions = {},
): Promise<RedisSentinelSetup> {
  const env = options.env ?? process.env;
  const masterName = options.masterName ?? 'mymaster';
  requireExecutable('redis-server', env);
  const command = sentinelCommand(env);
  if (!command)
    throw oneLineError('redis-sentinel not found on PATH: install it with "apt-get install redis-sentinel"');

  const servers: RedisServer[] = [];
  const sentinels: SentinelProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(sentinels.map((s) => s.proc.stop()));
    for (const s of sentinels) s.dir.remove();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const master = await startLocalRedis(env, () => [], 'redis-sentinel-master');
    servers.push(master);
    const replica = await startLocalRedis(
      env,
      () => ['--replicaof', HOST, String(master.port)],
      'redis-sentinel-replica',
    );
    servers.push(replica);
    await waitUntil(
      async () => parseInfo(await replica.command('INFO', 'replication')).master_link_status === 'up',
      {
        what: 'the replica to sync with the master',
      },
    );

    const started = await Promise.allSettled(
      Array.from({ length: SENTINELS }, () => startSentinel(command, masterName, master.port)),
    );
    for (const r of started) if (r.status === 'fulfilled') sentinels.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // Sentinels find each other through hello messages every 2 s; a failover needs them to.
    await waitUntil(
      async () => {
        const views = await Promise.all(
          sentinels.map(async (s) =>
            pairsToRecord(
              await respCommand({ host: HOST, port: s.port }, ['SENTINEL', 'MASTER', masterName]),
            ),
          ),
        );
        return views.every(
          (v) =>
            v['num-other-sentinels'] === String(SENTINELS - 1) &&
            v['num-slaves'] === '1' &&
            v.flags === 'master',
        );
      },
      {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'every sentinel to see the replica and the other sentinels',
      },
    );
    return {
      masterName,
      master,
      replica,
      sentinels: sentinels.map((s) => ({ host: HOST, port: s.port })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
