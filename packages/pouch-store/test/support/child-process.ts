import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The package root: child processes run from there. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');
/** Loads TypeScript in a plain node child. */
export const REGISTER_TS = join(__dirname, 'register-ts.js');

/** Runs a TypeScript or JavaScript file in a new `node` process (TypeScript through register-ts.js). */
export function spawnNode(script: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['-r', REGISTER_TS, script, ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code, or with 'timeout' (after killing the child) when it does not exit in time. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | 'timeout'> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

/** A store in another process (test/support/store-child.ts), driven command by command. */
export class StoreProcess {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private stderr = '';

  constructor() {
    this.child = spawnNode(join(__dirname, 'store-child.ts'));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; result?: unknown; error?: string };
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.result);
    });
    this.child.once('exit', (code) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`store process exited (${code}): ${this.stderr}`));
      }
      this.pending.clear();
    });
  }

  /** Sends a command and resolves with the child's result. */
  send<T = Record<string, unknown>>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin?.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Closes the store and waits for the process to exit. */
  async stop(): Promise<number | 'timeout'> {
    this.child.stdin?.end();
    return waitForExit(this.child, 10_000);
  }
}
