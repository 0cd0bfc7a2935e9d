import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useStarted } from './jest-helpers';

const run = promisify(execFile);

/** A package built for the enclosing describe block, and a way to run scripts against it. */
export interface BuiltPackage {
  /** Where the build went (inside the package, so its dependencies resolve as an app's would). */
  outDir(): string;
  /** Runs `node ...args script` in the package directory and parses the JSON the script printed last. */
  runNode(args: readonly string[], script: string): Promise<unknown>;
}

/**
 * Builds the package at `packageDir` with its own tsup config (no types, for speed)
 * before the block's tests and deletes the build after them, so tests can load the
 * CommonJS and ESM output exactly as a user would.
 */
export function useBuiltPackage(packageDir: string): BuiltPackage {
  const outDir = useStarted(
    'the built package',
    async () => {
      const dir = join(packageDir, 'test-artifacts', `build-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      await run('npx', ['tsup', '--out-dir', dir, '--no-dts', '--silent'], { cwd: packageDir });
      return dir;
    },
    async (dir) => rmSync(dir, { recursive: true, force: true }),
  );
  return {
    outDir,
    async runNode(args, script) {
      const { stdout } = await run(process.execPath, [...args, script], { cwd: packageDir, timeout: 20_000 });
      return JSON.parse(stdout.trim().split('\n').pop() as string);
    },
  };
}
