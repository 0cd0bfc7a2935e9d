import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './install-hints';
import type { ManagedProcess } from './managed-process';
import { parseRedisUrl, parseRedisUrlList, type RedisEndpoint } from './redis-url';
import { redisMajorVersion } from './redis-version';
import { type RespReply, respCommand } from './resp';
import { startRespProcess } from './resp-process';
import { makeTempDir, type TempDir } from './temp-dir';

/** A Redis server for a test: one started by the tests (`binary`) or one named by an env URL (`env`). */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port` (with credentials and db when the env URL had them), for a store's client. */
  readonly url: string;
  /** PID of the running process; `undefined` for an env server or while killed. */
  readonly pid: number | undefined;
  /** Where the server comes from. */
  readonly source: 'env' | 'binary';
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. No-op for env servers. */
  stop(): Promise<void>;
  /**
   * Simulates a crash: sends `signal` (default SIGKILL) and waits for the exit, so the signal must end
   * the process (not SIGSTOP). Binary servers only.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port, EMPTY (stopping it first if it runs). Binary servers only. */
  restart(): Promise<void>;
  /**
   * Sends one command with the package's tiny RESP client and resolves with the reply; an error reply
   * rejects. For assertions (`INFO`, `DBSIZE`, `SCAN`, `CONFIG`, `DEBUG SLEEP`), not for store code.
   */
  command(...args: string[]): Promise<RespReply>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Extra `redis-server` arguments, appended after ours so they win (e.g. `['--requirepass', 's3cret']`).
   * Not `--port`, `--logfile` or `--dir`: startup is detected through them. Implies `ownProcess`: an env
   * server cannot be reconfigured.
   */
  args?: readonly string[];
  /** Ignore `REDIS_URL` and start a binary: for tests that kill, restart or reconfigure the server. */
  ownProcess?: boolean;
  /** Environment to resolve `REDIS_URL` and `PATH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const HOST = '127.0.0.1';

/** A redis-server process owned by the tests, on a free loopback port. */
export class LocalRedisServer implements RedisServer {
  readonly host = HOST;
  readonly source = 'binary';
  private proc: ManagedProcess | undefined;
  private currentPort = 0;
  private stopped = false;

  /** Use {@link startRedis}; exported for the cluster and sentinel starters. */
  constructor(
    /** Absolute path of redis-server. */
    readonly binary: string,
    private readonly dir: TempDir,
    private readonly argsFor: (port: number) => string[] | Promise<string[]>,
    /** Highest usable client port (a Redis 6 cluster node needs port + 10000 for its bus). */
    private readonly maxPort = 65_535,
  ) {}

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    return `redis://${HOST}:${this.currentPort}`;
  }

  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  /** Starts the process, on `port` when given (restart) or on a fresh free port. */
  async start(port?: number): Promise<void> {
    const logFile = join(this.dir.path, 'redis.log');
    const started = await startRespProcess({
      label: 'redis-server',
      command: this.binary,
      cwd: this.dir.path,
      logFile,
      port,
      maxPort: this.maxPort,
      argsFor: async (p) => [
        '--port',
        String(p),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir.path,
        '--logfile',
        logFile,
        '--daemonize',
        'no',
        ...(redisMajorVersion(this.binary) >= 7
          ? [
              // Tests use DEBUG SLEEP to simulate a hung server; Redis 7 disables DEBUG by default.
              '--enable-debug-command',
              'local',
              // Redis 7 waits up to 10 s for lagging replicas on SIGTERM; tests do not need that.
              '--shutdown-timeout',
              '0',
            ]
          : []),
        ...(await this.argsFor(p)),
      ],
    });
    this.proc = started.proc;
    this.currentPort = started.port;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.proc?.stop();
    this.dir.remove();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.proc?.running) throw new Error(`redis-server :${this.currentPort} is not running`);
    await this.proc.kill(signal);
  }

  async restart(): Promise<void> {
    if (this.stopped)
      throw new Error(`redis-server :${this.currentPort} was stopped for good; start a new one`);
    if (this.proc?.running) await this.proc.stop();
    // "Starts empty": drop any dump/AOF, keep config files such as a cluster's nodes.conf.
    for (const name of readdirSync(this.dir.path)) {
      if (name === 'dump.rdb' || name.startsWith('appendonly')) {
        rmSync(join(this.dir.path, name), { recursive: true, force: true });
      }
    }
    await this.start(this.currentPort);
  }

  command(...args: string[]): Promise<RespReply> {
    return respCommand({ host: HOST, port: this.currentPort }, args);
  }
}

/** A handle to a server named by an env URL: the tests may use it, but never stop or crash it. */
export class ExternalRedisServer implements RedisServer {
  readonly source = 'env';
  readonly pid = undefined;

  /** @param envVar the variable the URL came from, quoted in errors. */
  constructor(
    private readonly endpoint: RedisEndpoint,
    private readonly envVar: string,
  ) {}

  get host(): string {
    return this.endpoint.host;
  }

  get port(): number {
    return this.endpoint.port;
  }

  get url(): string {
    return this.endpoint.url;
  }

  async stop(): Promise<void> {
    // Not ours to stop; tests clean up their own keys with deleteByPrefix.
  }

  async kill(): Promise<void> {
    throw this.notOurs('kill()');
  }

  async restart(): Promise<void> {
    throw this.notOurs('restart()');
  }

  command(...args: string[]): Promise<RespReply> {
    return respCommand(this.endpoint, args);
  }

  private notOurs(what: string): Error {
    return new Error(
      `${what} needs a redis-server started by the tests, but this one comes from ${this.envVar} (${this.endpoint.host}:${this.endpoint.port}); ` +
        'call startRedis({ ownProcess: true })',
    );
  }
}

/** Starts a redis-server binary from `env.PATH` with extra args (no env lookup). */
export async function startLocalRedis(
  env: NodeJS.ProcessEnv,
  argsFor: (port: number) => string[] | Promise<string[]> = () => [],
  label = 'redis',
  maxPort?: number,
): Promise<LocalRedisServer> {
  const binary = requireExecutable('redis-server', env);
  const dir = makeTempDir(label);
  const server = new LocalRedisServer(binary, dir, argsFor, maxPort);
  try {
    await server.start();
  } catch (error) {
    dir.remove();
    throw error;
  }
  return server;
}

/**
 * Returns a Redis server for a test: `REDIS_URL` when set (its `stop()` does nothing), else a fresh
 * `redis-server` from PATH on a free 127.0.0.1 port with no persistence, in its own temp dir.
 * Throws the one-line install hint when neither exists.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const env = options.env ?? process.env;
  const own = options.ownProcess === true || (options.args?.length ?? 0) > 0;
  if (!own && env.REDIS_URL) return new ExternalRedisServer(parseRedisUrl(env.REDIS_URL), 'REDIS_URL');
  if (own) requireExecutable('redis-server', env);
  else requireExecutable('redis-server', env, 'REDIS_URL');
  const extra = [...(options.args ?? [])];
  return startLocalRedis(env, () => extra);
}

/** Servers that are independent of each other, see {@link startRedisGroup}. */
export interface RedisGroup {
  servers: RedisServer[];
  /** Stops every server the group started. */
  stop(): Promise<void>;
}

/**
 * Starts `count` independent servers (for stores that write to several at once). `REDIS_REPLICA_URLS`
 * (comma-separated) is used instead when it names at least `count` servers.
 */
export async function startRedisGroup(
  count: number,
  options: Omit<StartRedisOptions, 'ownProcess'> = {},
): Promise<RedisGroup> {
  const env = options.env ?? process.env;
  const fromEnv = env.REDIS_REPLICA_URLS ? parseRedisUrlList(env.REDIS_REPLICA_URLS) : [];
  if (!options.args?.length && fromEnv.length >= count) {
    const servers = fromEnv.slice(0, count).map((e) => new ExternalRedisServer(e, 'REDIS_REPLICA_URLS'));
    return { servers, stop: async () => {} };
  }
  requireExecutable('redis-server', env, 'REDIS_REPLICA_URLS');
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => startRedis({ ...options, env, ownProcess: true })),
  );
  const servers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { servers, stop };
}
