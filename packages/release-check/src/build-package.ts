import type { PnpmCommand } from './pnpm-command';
import { runCommand } from './run-command';

/** Builds a package and the workspace packages it depends on, with turbo (cached when unchanged). */
export async function buildPackage(pnpm: PnpmCommand, workspaceRoot: string, name: string): Promise<void> {
  await runCommand(
    pnpm.command,
    [...pnpm.prefix, 'exec', 'turbo', 'run', 'build', `--filter=${name}`, '--output-logs=errors-only'],
    { cwd: workspaceRoot, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }, timeoutMs: 240_000 },
  );
}
