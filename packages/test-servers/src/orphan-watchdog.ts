import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * One tiny `sh` per test process that SIGKILLs the servers we started if we die without running any
 * `exit` handler (a jest worker killed by SIGTERM/SIGKILL). It learns PIDs as `+pid` / `-pid` lines on
 * its stdin; our death closes that pipe, `read` returns EOF, and it kills whatever is still listed
 * (see orphan-watchdog.sh).
 */
const SCRIPT = join(__dirname, 'orphan-watchdog.sh');

let watchdog: ChildProcess | undefined;
let unavailable = false;

function send(line: string): void {
  if (unavailable) return;
  if (!watchdog) {
    try {
      watchdog = spawn('/bin/sh', [SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'] });
    } catch {
      unavailable = true;
      return;
    }
    watchdog.on('error', () => {
      unavailable = true;
    });
    watchdog.stdin?.on('error', () => {
      unavailable = true;
    });
    // Neither the watchdog nor its pipe may keep the test process alive.
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Asks the watchdog to kill `pid` should this process die first. */
export function watchPid(pid: number): void {
  send(`+${pid}`);
}

/** The process exited normally: forget it, so a recycled PID is never killed. */
export function unwatchPid(pid: number): void {
  send(`-${pid}`);
}
