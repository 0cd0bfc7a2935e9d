import { spawn } from 'node:child_process';

/** How to run one program. */
export interface RunOptions {
  readonly cwd: string;
  /** The whole environment of the program (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (with its children) after this long. Default 5 minutes. */
  readonly timeoutMs?: number;
}

/** What a program printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

const KEPT_OUTPUT = 4000;

/**
 * Runs a program without a shell and resolves with its output, or rejects with the
 * command line and the tail of its output when it exits non-zero or times out.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CommandOutput> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also ends what it started (npm runs scripts in children).
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${describe(command, args)}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut ? `timed out after ${timeoutMs / 1000}s` : `exited with ${code ?? signal}`;
      const output = `${stdout}\n${stderr}`.trim();
      reject(new Error(`${describe(command, args)} ${why}\n${output.slice(-KEPT_OUTPUT)}`));
    });
  });
}

function describe(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(' ');
}
