import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { CheckFailure } from './check-failure';
import { readManifest } from './package-manifest';
import { runCommand } from './run-command';
import { checkVersionBumps, type VersionSnapshot } from './version-bumps';
import { listPackages, type WorkspacePackage, workspacePackageDirs } from './workspace-packages';

/** The package a probe changeset bumps (patch). */
export const PROBE_PACKAGE = '@session-stores/core';

/** What the changesets check needs from the caller. */
export interface ChangesetsCheckOptions {
  readonly workspaceRoot: string;
  readonly log: (line: string) => void;
  /** Keep the clone for inspection. */
  readonly keep: boolean;
}

/**
 * In a throwaway clone of the committed HEAD (plus the manifests of packages not
 * committed yet, so a dependent being written is covered): checks every published
 * package has a CHANGELOG.md, adds a patch changeset for core, runs the workspace's
 * own `changeset version` and checks the bumps, logging one line per package.
 * Throws a {@link CheckFailure} listing every problem.
 */
export async function runChangesetsCheck(options: ChangesetsCheckOptions): Promise<void> {
  const { workspaceRoot, log } = options;
  const git = (args: string[], cwd: string) => runCommand('git', args, { cwd, timeoutMs: 120_000 });
  const repoRoot = (await git(['rev-parse', '--show-toplevel'], workspaceRoot)).stdout.trim();
  const head = (await git(['rev-parse', 'HEAD'], workspaceRoot)).stdout.trim();
  const temp = mkdtempSync(join(tmpdir(), 'release-check-changesets-'));
  try {
    const clone = join(temp, 'repo');
    await git(['clone', '--quiet', '--no-checkout', repoRoot, clone], temp);
    await git(['checkout', '--quiet', '--detach', head], clone);
    const root = join(clone, relative(repoRoot, workspaceRoot));
    const added = overlayUncommitted(listPackages(workspaceRoot), workspaceRoot, root);
    log(
      `  clone of ${head.slice(0, 12)}${added.length ? ` + uncommitted manifests of ${added.join(', ')}` : ''}`,
    );
    // `@changesets/cli/changelog` (config.json) resolves from the clone: lend it the workspace's install.
    symlinkSync(join(workspaceRoot, 'node_modules'), join(root, 'node_modules'), 'dir');

    const before = snapshot(root);
    const missing = [...before.values()]
      .filter((p) => !p.private && p.changelog === undefined)
      .map((p) => p.name);

    writeFileSync(
      join(root, '.changeset', 'release-check-probe.md'),
      `---\n"${PROBE_PACKAGE}": patch\n---\n\nRelease check probe.\n`,
    );
    await runCommand(process.execPath, [changesetBin(workspaceRoot), 'version'], {
      cwd: root,
      timeoutMs: 120_000,
    });
    const report = checkVersionBumps(PROBE_PACKAGE, before, snapshot(root));
    for (const line of report.lines) log(`  ${line}`);
    const problems = [
      ...(missing.length ? [`no CHANGELOG.md in ${missing.join(', ')}`] : []),
      ...report.problems,
    ];
    if (problems.length > 0) throw new CheckFailure('changesets', problems.join('\n'));
  } finally {
    if (options.keep) log(`  kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

/** Copies package.json and CHANGELOG.md of packages absent from the clone; skips published ones not built yet. */
function overlayUncommitted(packages: readonly WorkspacePackage[], from: string, to: string): string[] {
  const added: string[] = [];
  for (const pkg of packages) {
    const target = join(to, relative(from, pkg.dir));
    if (existsSync(join(target, 'package.json')) || (pkg.published && !pkg.hasEntry)) continue;
    mkdirSync(target, { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(pkg.dir, file))) copyFileSync(join(pkg.dir, file), join(target, file));
    }
    added.push(pkg.folder);
  }
  return added;
}

function snapshot(root: string): Map<string, VersionSnapshot> {
  const workspace = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: string[] };
  const result = new Map<string, VersionSnapshot>();
  for (const dir of workspacePackageDirs(root, workspace.packages ?? [])) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (!manifest.name) continue;
    const changelogPath = join(dir, 'CHANGELOG.md');
    result.set(manifest.name, {
      name: manifest.name,
      version: manifest.version ?? '0.0.0',
      private: manifest.private === true,
      ranges: { ...manifest.peerDependencies, ...manifest.dependencies },
      changelog: existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : undefined,
    });
  }
  return result;
}

/** The JS entry of the workspace's own @changesets/cli. */
function changesetBin(workspaceRoot: string): string {
  const manifestPath = require.resolve('@changesets/cli/package.json', { paths: [workspaceRoot] });
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : bin.changeset;
  if (!entry) throw new Error('@changesets/cli has no changeset binary');
  return join(dirname(manifestPath), entry);
}
