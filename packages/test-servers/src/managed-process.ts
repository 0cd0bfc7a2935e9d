import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { onProcessExit } from './exit-cleanup';
import { unwatchPid, watchPid } from './orphan-watchdog';

/** How a child process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process we own: stopped by PID at teardown, SIGKILLed by an `exit` handler if the test process
 * exits first, and by the orphan watchdog if it dies without running one.
 */
export class ManagedProcess {
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(
    readonly child: ChildProcess & { pid: number },
    /** Used in error messages, e.g. `redis-server :40123`. */
    readonly label: string,
  ) {
    const unregister = onProcessExit(() => {
      if (!this.exitInfo) child.kill('SIGKILL');
    });
    watchPid(child.pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        unregister();
        unwatchPid(child.pid);
        resolve(this.exitInfo);
      });
    });
  }

  /** The OS process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Sends `signal` (SIGKILL by default, i.e. a crash) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 5_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Spawns `command` and resolves once the OS has started it; rejects if it could not be spawned. */
export function spawnManaged(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { label: string },
): Promise<ManagedProcess> {
  const { label, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    // Not detached: a Ctrl-C in the terminal reaches the servers too.
    const child = spawn(command, args, { stdio: 'ignore', ...spawnOptions });
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      // Later errors (e.g. EPIPE on stdin) must not crash the test process.
      child.on('error', () => {});
      if (child.pid === undefined) return reject(new Error(`${label}: spawned without a pid`));
      resolve(new ManagedProcess(child as ChildProcess & { pid: number }, label));
    });
  });
}
