import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChangesetsCheck } from './changesets-check';
import { checkPackage, type PackageCheckContext, type PackageResult } from './package-check';
import { readManifest } from './package-manifest';
import { pnpmCommand } from './pnpm-command';
import { formatKib } from './size-budgets';
import { SmokeServers } from './smoke-servers';
import { formatTable } from './summary-table';
import { findWorkspaceRoot, listPackages } from './workspace-packages';

// `pnpm release:check [name-or-folder...]`: every published package unless some are named.
// RELEASE_CHECK_KEEP=1 keeps the temp folders; RELEASE_CHECK_CHANGESETS=0 skips the changesets step.

const log = (line: string): void => console.log(line);

async function main(): Promise<number> {
  const started = Date.now();
  const workspaceRoot = findWorkspaceRoot();
  const keep = process.env.RELEASE_CHECK_KEEP === '1';
  const only = process.argv.slice(2);
  const packages = listPackages(workspaceRoot);
  const selected = packages.filter(
    (p) => p.published && (only.length === 0 || only.includes(p.name) || only.includes(p.folder)),
  );
  const workDir = mkdtempSync(join(tmpdir(), 'release-check-'));
  const servers = new SmokeServers();
  const context: PackageCheckContext = {
    workspaceRoot,
    rootLicense: readFileSync(join(workspaceRoot, 'LICENSE'), 'utf8'),
    pnpm: pnpmCommand(readManifest(join(workspaceRoot, 'package.json'))),
    packages,
    packed: new Map(),
    servers,
    tscPath: require.resolve('typescript/bin/tsc', { paths: [workspaceRoot] }),
    workDir,
    keep,
    log,
  };

  const rows: string[][] = [];
  const failures: string[] = [];
  try {
    for (const pkg of selected) {
      if (!pkg.hasEntry) {
        log(`\n${pkg.name}: skipped: not built yet (no src/index.ts)`);
        rows.push([pkg.name, 'skipped', 'not built yet', '', '', '', '']);
        continue;
      }
      log(`\n${pkg.name}`);
      const result = await checkPackage(pkg, context);
      rows.push(packageRow(result));
      for (const failure of result.failures)
        failures.push(`${result.name} [${failure.step}]: ${failure.message}`);
    }
    if (process.env.RELEASE_CHECK_CHANGESETS !== '0') {
      log('\nchangesets');
      const changesetsStarted = Date.now();
      try {
        await runChangesetsCheck({ workspaceRoot, log, keep });
        rows.push(['(changesets version)', 'ok', '', '', '', '', seconds(changesetsStarted)]);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`  changesets: FAILED\n    ${message.split('\n').join('\n    ')}`);
        failures.push(`(changesets) [changesets]: ${message}`);
        rows.push(['(changesets version)', 'FAIL', 'changesets', '', '', '', seconds(changesetsStarted)]);
      }
    }
  } finally {
    await servers.stop();
    if (keep) log(`\nkept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  log('\nrelease check summary');
  log(
    formatTable(
      ['package', 'result', 'failed steps', 'packed / budget', 'unpacked / budget', 'smoke', 'time'],
      rows,
    ),
  );
  log(`total ${seconds(started)}`);
  if (failures.length > 0) {
    log(`\n${failures.length} failure(s):`);
    for (const failure of failures) log(`- ${failure.split('\n').join('\n    ')}`);
    return 1;
  }
  return 0;
}

function packageRow(result: PackageResult): string[] {
  const steps = [...new Set(result.failures.map((f) => f.step))].join(', ');
  const budget = (kib: number | undefined): string => (kib === undefined ? 'no budget' : `${kib} KiB`);
  return [
    result.name,
    result.failures.length === 0 ? 'ok' : 'FAIL',
    steps,
    result.packed ? `${formatKib(result.packed.packedBytes)} / ${budget(result.budget?.packedKib)}` : '',
    result.packed ? `${formatKib(result.packed.unpackedBytes)} / ${budget(result.budget?.unpackedKib)}` : '',
    result.genericSmoke ? 'exports only' : 'round trip',
    `${result.seconds.toFixed(1)}s`,
  ];
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
