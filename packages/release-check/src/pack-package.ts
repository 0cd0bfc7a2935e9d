import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PnpmCommand } from './pnpm-command';
import { runCommand } from './run-command';
import { unpackedBytes } from './tarball-contents';

/** A packed package, unpacked beside its tarball for inspection. */
export interface PackedPackage {
  readonly tarball: string;
  /** The unpacked `package/` folder. */
  readonly root: string;
  readonly packedBytes: number;
  readonly unpackedBytes: number;
}

/**
 * `pnpm pack`s the package in `dir` into `outDir` (pnpm replaces workspace: ranges with
 * real ones, as `pnpm publish` does) and unpacks the tarball next to it.
 */
export async function packPackage(pnpm: PnpmCommand, dir: string, outDir: string): Promise<PackedPackage> {
  mkdirSync(outDir, { recursive: true });
  await runCommand(pnpm.command, [...pnpm.prefix, 'pack', '--pack-destination', outDir], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  const tarballs = readdirSync(outDir).filter((file) => file.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`expected one tarball in ${outDir}, found ${tarballs.length}`);
  const tarball = join(outDir, tarballs[0]!);
  const unpacked = join(outDir, 'unpacked');
  mkdirSync(unpacked);
  await runCommand('tar', ['-xzf', tarball, '-C', unpacked], { cwd: outDir, timeoutMs: 60_000 });
  const root = join(unpacked, 'package');
  return { tarball, root, packedBytes: statSync(tarball).size, unpackedBytes: unpackedBytes(root) };
}
