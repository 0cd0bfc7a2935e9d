import { existsSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './free-port';
import { type ManagedProcess, spawnManaged } from './managed-process';
import { respPipeline } from './resp';
import { sleep } from './wait-until';

/** How to launch one redis-server or sentinel process. */
export interface RespProcessSpec {
  /** Name used in error messages, e.g. `redis-server`. */
  label: string;
  /** Absolute path of the binary. */
  command: string;
  /** Builds argv for a port; called again with a new port after a bind conflict. */
  argsFor(port: number): string[] | Promise<string[]>;
  /** The log file the process writes (quoted when it fails to start). */
  logFile: string;
  cwd: string;
  /** Highest acceptable port when one is picked. Default 65535. */
  maxPort?: number | undefined;
  /** Reuse exactly this port (restart); no retry on conflict. */
  port?: number | undefined;
  /** Default 10 000 ms. */
  readyTimeoutMs?: number | undefined;
}

/** A started process and the port it answers on. */
export interface StartedRespProcess {
  proc: ManagedProcess;
  port: number;
}

const HOST = '127.0.0.1';
const MAX_ATTEMPTS = 4;

function logTail(file: string, lines = 8): string {
  if (!existsSync(file)) return '(no log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * True once OUR process serves `port`: its own log says it bound the port (a reply alone could come
 * from another process that won a race for the port), and a PING gets any reply (NOAUTH counts, for
 * servers started with --requirepass).
 */
async function servesPort(logFile: string, port: number): Promise<boolean> {
  if (!existsSync(logFile)) return false;
  // "Running mode=standalone, port=N." is logged right after the listeners are bound (sentinels too).
  if (!readFileSync(logFile, 'utf8').includes(`, port=${port}.`)) return false;
  const [reply] = await respPipeline({ host: HOST, port }, [['PING']], { timeoutMs: 1_000 });
  return reply !== undefined;
}

/**
 * Starts a RESP server process on a free loopback port and waits until it serves that port.
 * Retries on a new port when the chosen one was taken in the meantime.
 */
export async function startRespProcess(spec: RespProcessSpec): Promise<StartedRespProcess> {
  const readyTimeoutMs = spec.readyTimeoutMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    const port = spec.port ?? (await freePort(HOST, spec.maxPort));
    // A fresh log per attempt, so an old "address in use" is not mistaken for this attempt's failure.
    rmSync(spec.logFile, { force: true });
    const proc = await spawnManaged(spec.command, await spec.argsFor(port), {
      cwd: spec.cwd,
      label: `${spec.label} :${port}`,
    });
    const deadline = Date.now() + readyTimeoutMs;
    let failure: string | undefined;
    while (!failure) {
      if (!proc.running) {
        failure = 'exited';
        break;
      }
      try {
        if (await servesPort(spec.logFile, port)) return { proc, port };
      } catch {
        // Not listening yet, or still loading.
      }
      if (Date.now() > deadline) failure = 'timeout';
      else await sleep(30);
    }
    await proc.stop(1_000);
    const log = logTail(spec.logFile);
    const conflict = /address already in use/i.test(log);
    if (conflict && spec.port === undefined && attempt < MAX_ATTEMPTS) continue;
    const why =
      failure === 'timeout' ? `did not answer within ${readyTimeoutMs} ms` : 'exited while starting';
    throw new Error(`${spec.label} on ${HOST}:${port} ${why}; last log lines:\n${log}`);
  }
}
