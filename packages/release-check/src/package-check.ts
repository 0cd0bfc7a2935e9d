import { join } from 'node:path';
import { buildPackage } from './build-package';
import { asStep, CheckFailure, timedStep } from './check-failure';
import { checkManifestFields } from './manifest-fields';
import { type PackedPackage, packPackage } from './pack-package';
import type { PnpmCommand } from './pnpm-command';
import { checkSizeBudget, formatKib, type SizeBudget } from './size-budgets';
import { runSmokeProject } from './smoke-project';
import type { SmokeServers } from './smoke-servers';
import { smokeFor } from './smokes';
import { checkTarballContents } from './tarball-contents';
import { type WorkspacePackage, withWorkspaceDependencies } from './workspace-packages';

/** What checking one published package needs, shared by all of them. */
export interface PackageCheckContext {
  readonly workspaceRoot: string;
  readonly rootLicense: string;
  readonly pnpm: PnpmCommand;
  readonly packages: readonly WorkspacePackage[];
  /** Tarballs packed so far, by name: a dependent installs its dependencies' tarballs too. */
  readonly packed: Map<string, PackedPackage>;
  readonly servers: SmokeServers;
  readonly tscPath: string;
  /** Where tarballs go (one sub-folder per package). */
  readonly workDir: string;
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

/** One failed step of one package. */
export interface StepFailure {
  readonly step: string;
  readonly message: string;
}

/** The outcome for one package: its failures (empty when it passed) and its sizes. */
export interface PackageResult {
  readonly name: string;
  readonly failures: StepFailure[];
  readonly packed?: PackedPackage;
  readonly budget?: SizeBudget;
  readonly genericSmoke: boolean;
  readonly seconds: number;
}

/**
 * Checks one published package: manifest fields, build, pack, tarball contents,
 * size budget, then the smoke in a project of its own. The checks that only read
 * go on after a failure, so one run shows every problem; build, pack and the smoke
 * steps stop the package at their first failure.
 */
export async function checkPackage(
  pkg: WorkspacePackage,
  context: PackageCheckContext,
): Promise<PackageResult> {
  const started = Date.now();
  const failures: StepFailure[] = [];
  const { definition, generic } = smokeFor(pkg.name);
  const record = (error: unknown, fallbackStep: string): void => {
    const step = error instanceof CheckFailure ? error.step : fallbackStep;
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ step, message });
    context.log(`  ${step}: FAILED\n${indent(message)}`);
  };
  const check = (step: string, problems: readonly string[], passed = `${step}: ok`): void => {
    if (problems.length > 0) record(new CheckFailure(step, problems.join('\n')), step);
    else context.log(`  ${passed}`);
  };
  const result = (extra: Partial<PackageResult> = {}): PackageResult => ({
    name: pkg.name,
    failures,
    genericSmoke: generic,
    seconds: (Date.now() - started) / 1000,
    ...extra,
  });

  check('fields', checkManifestFields({ ...pkg, rootLicense: context.rootLicense }));
  let packed: PackedPackage;
  try {
    await timedStep(context.log, 'build', () => buildPackage(context.pnpm, context.workspaceRoot, pkg.name));
    packed = await timedStep(context.log, 'pack', () =>
      packPackage(context.pnpm, pkg.dir, join(context.workDir, pkg.folder)),
    );
  } catch (error) {
    record(error, 'build');
    return result();
  }
  context.packed.set(pkg.name, packed);
  check('contents', checkTarballContents(packed.root));
  const size = checkSizeBudget(pkg.name, packed);
  const sizes = `${formatKib(packed.packedBytes)} packed, ${formatKib(packed.unpackedBytes)} unpacked`;
  const budget = `${size.budget?.packedKib} KiB / ${size.budget?.unpackedKib} KiB`;
  check('size', size.problems, `size: ok (${sizes}; budget ${budget})`);

  try {
    const ownPackages = withWorkspaceDependencies(pkg, context.packages);
    const tarballs: string[] = [];
    for (const name of ownPackages) tarballs.push(await tarballOf(name, context));
    const env = await asStep('server', () => context.servers.env(definition.servers));
    const smokeFailures = await runSmokeProject({
      manifest: pkg.manifest,
      tarballs,
      ownPackages,
      definition,
      workspaceRoot: context.workspaceRoot,
      tscPath: context.tscPath,
      env,
      keep: context.keep,
      log: context.log,
    });
    for (const failure of smokeFailures) record(failure, 'smoke');
    if (generic) {
      context.log('  smoke: generic (exports only): add src/smokes/<package>.ts for a real round trip');
    }
  } catch (error) {
    record(error, 'smoke');
  }
  return result({ packed, budget: size.budget });
}

/** The tarball of a workspace package, packed now if this run has not packed it yet (turbo built it as a dependency). */
async function tarballOf(name: string, context: PackageCheckContext): Promise<string> {
  const done = context.packed.get(name);
  if (done) return done.tarball;
  const dependency = context.packages.find((p) => p.name === name);
  if (!dependency) throw new CheckFailure('install', `${name} is not a workspace package`);
  const packed = await asStep('install', () =>
    packPackage(context.pnpm, dependency.dir, join(context.workDir, dependency.folder)),
  );
  context.packed.set(name, packed);
  return packed.tarball;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
