import type { PackageManifest } from './package-manifest';

/** How to run pnpm: a command and the arguments that come before pnpm's own. */
export interface PnpmCommand {
  readonly command: string;
  readonly prefix: readonly string[];
}

/**
 * How to run pnpm from here: the pnpm that runs this script when there is one
 * (`npm_execpath`), else the `packageManager` version through npx, as CI does.
 */
export function pnpmCommand(rootManifest: PackageManifest): PnpmCommand {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return /\.c?js$/.test(execPath)
      ? { command: process.execPath, prefix: [execPath] }
      : { command: execPath, prefix: [] };
  }
  const pinned = rootManifest.packageManager?.startsWith('pnpm@') ? rootManifest.packageManager : 'pnpm@10';
  return { command: 'npx', prefix: ['-y', pinned] };
}
