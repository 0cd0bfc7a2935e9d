import type { Server } from 'node:http';
import { join } from 'node:path';
import { listenCouch } from './couch-app';
import { type ManagedProcess, spawnManaged } from './managed-process';

/** A CouchDB-compatible HTTP server for a test. */
export interface CouchServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/` (credentials kept for env URLs). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * `env`: COUCHDB_URL; `child-process`: express-pouchdb in a `node` child (the default, killable);
   * `in-process`: express-pouchdb inside the test process.
   */
  readonly source: 'env' | 'child-process' | 'in-process';
  /** PID of the child process; `undefined` otherwise or while killed. */
  readonly pid: number | undefined;
  /** Stops the server. No-op for env servers. */
  stop(): Promise<void>;
  /** Simulates a crash (default SIGKILL) and waits for the exit. Child-process servers only. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port, EMPTY. Child-process servers only. */
  restart(): Promise<void>;
}

/** Options of {@link startCouchServer}. */
export interface StartCouchServerOptions {
  /** Run express-pouchdb inside this process instead of a child (faster to start, cannot be killed). */
  inProcess?: boolean;
  /** Ignore `COUCHDB_URL`: for tests that kill or restart the server. */
  ownProcess?: boolean;
  /** Environment to resolve `COUCHDB_URL` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const HOST = '127.0.0.1';
const CHILD_SCRIPT = join(__dirname, 'couch-server-process.js');
const START_TIMEOUT_MS = 60_000;

function notOurs(what: string, source: string): Error {
  return new Error(`${what} needs a couch server started by the tests in a child process, not ${source}`);
}

function envServer(raw: string): CouchServer {
  const parsed = new URL(raw);
  const url = parsed.toString().endsWith('/') ? parsed.toString() : `${parsed.toString()}/`;
  return {
    url,
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 5984,
    source: 'env',
    pid: undefined,
    stop: async () => {},
    kill: async () => {
      throw notOurs('kill()', `COUCHDB_URL (${parsed.host})`);
    },
    restart: async () => {
      throw notOurs('restart()', `COUCHDB_URL (${parsed.host})`);
    },
  };
}

// pouchdb-all-dbs listens on PouchDB's process-wide event emitter, so two live in-process servers
// would see each other's databases. One at a time keeps them honest.
let inProcessRunning = false;

async function inProcessServer(): Promise<CouchServer> {
  if (inProcessRunning) {
    throw new Error(
      'only one in-process couch server can run per process; use the default child-process mode',
    );
  }
  inProcessRunning = true;
  let server: Server;
  try {
    server = await listenCouch(0, HOST);
  } catch (error) {
    inProcessRunning = false;
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}/`,
    host: HOST,
    port,
    source: 'in-process',
    pid: undefined,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        // Open _changes feeds would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }).finally(() => {
        inProcessRunning = false;
      });
      return stopped;
    },
    kill: async () => {
      throw notOurs('kill()', 'an in-process server');
    },
    restart: async () => {
      throw notOurs('restart()', 'an in-process server');
    },
  };
}

/** Spawns the child and resolves with it and the port it printed. */
async function spawnCouchChild(port: number): Promise<{ proc: ManagedProcess; port: number }> {
  const proc = await spawnManaged(process.execPath, [CHILD_SCRIPT, String(port)], {
    label: 'couch server',
    // stdin stays open as the child's lifeline (see couch-server-process.js).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { stdout, stderr } = proc.child;
  let errText = '';
  stderr?.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString()).slice(-2_000);
  });
  try {
    const printed = await new Promise<number>((resolve, reject) => {
      let outText = '';
      const timer = setTimeout(
        () => reject(new Error(`no port printed within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      stdout?.on('data', (chunk: Buffer) => {
        outText += chunk.toString();
        const match = /\{"port":(\d+)\}/.exec(outText);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      void proc.exited.then((info) => {
        clearTimeout(timer);
        reject(new Error(`exited while starting (code ${info.code}, signal ${info.signal})`));
      });
    });
    // Keep draining stdout so the child never blocks on a full pipe.
    stdout?.resume();
    return { proc, port: printed };
  } catch (error) {
    await proc.stop(1_000);
    throw new Error(
      `couch server on ${HOST}:${port || '(any)'} failed: ${(error as Error).message}\n${errText.trim()}`,
    );
  }
}

class ChildCouchServer implements CouchServer {
  readonly host = HOST;
  readonly source = 'child-process';
  private stopped = false;

  constructor(
    private proc: ManagedProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://${HOST}:${this.port}/`;
  }

  get pid(): number | undefined {
    return this.proc.running ? this.proc.pid : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.proc.child.stdin?.end();
    await this.proc.stop();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.proc.running) throw new Error(`couch server :${this.port} is not running`);
    await this.proc.kill(signal);
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error(`couch server :${this.port} was stopped for good; start a new one`);
    await this.proc.stop();
    this.proc = (await spawnCouchChild(this.port)).proc;
  }
}

/**
 * Returns a CouchDB-compatible server for a test: `COUCHDB_URL` when set (its `stop()` does nothing),
 * else express-pouchdb over in-memory PouchDB on a free 127.0.0.1 port, in a child `node` process by
 * default so fault tests can kill it. Supports databases, documents, `_all_docs`, `_bulk_docs`,
 * `_changes` (normal, longpoll, continuous), views and mango `_index`/`_find`.
 */
export async function startCouchServer(options: StartCouchServerOptions = {}): Promise<CouchServer> {
  const env = options.env ?? process.env;
  if (!options.ownProcess && !options.inProcess && env.COUCHDB_URL) return envServer(env.COUCHDB_URL);
  if (options.inProcess) return inProcessServer();
  const { proc, port } = await spawnCouchChild(0);
  return new ChildCouchServer(proc, port);
}
