import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { SubjectUnavailable } from './context';

/** What every child message has; an `error` message carries its text. */
export type ChildMessageBase = { type: string } | { type: 'error'; message: string; unavailable?: boolean };

/**
 * A benchmark server forked as a child process (a file of this folder), with a way to
 * await its next message of a given type. Messages that `intercept` handles (requests
 * the child makes of the parent) never reach the inbox.
 */
export class ChildChannel<Out extends ChildMessageBase, In extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly inbox: Out[] = [];
  private wake: (() => void) | undefined;
  private exited = false;

  constructor(file: string, intercept?: (message: { type: string }) => boolean) {
    this.child = fork(join(__dirname, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: Out) => {
      if (intercept?.(message)) return;
      this.inbox.push(message);
      this.wake?.();
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  send(message: In): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  /** The next message of `type`; an `error` message or the process exiting rejects. */
  async next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (index >= 0) {
        const [message] = this.inbox.splice(index, 1) as [Out];
        if (message.type === 'error' && 'message' in message) {
          throw message.unavailable ? new SubjectUnavailable(message.message) : new Error(message.message);
        }
        return message as Extract<Out, { type: T }>;
      }
      if (this.exited) throw new Error(`the server process exited before sending "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the server process sent no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Asks the child to stop (`stop`), returns its `stopped` message, and kills it if it does not answer. */
  async stop(stop: In): Promise<Extract<Out, { type: 'stopped' }> | undefined> {
    if (this.exited) return undefined;
    this.send(stop);
    try {
      return (await this.next('stopped' as Out['type'], 30_000)) as Extract<Out, { type: 'stopped' }>;
    } catch {
      return undefined;
    } finally {
      if (!this.exited) this.child.kill('SIGKILL');
    }
  }
}
