import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { CheckFailure, timedStep } from './check-failure';
import type { PackageManifest } from './package-manifest';
import { runCommand } from './run-command';
import type { SmokeDefinition } from './smokes';

/** One package's smoke: what to install and run in a project outside the workspace. */
export interface SmokeProject {
  /** The package under test. */
  readonly manifest: PackageManifest;
  /** Its tarball and those of the workspace packages it needs, installed together. */
  readonly tarballs: readonly string[];
  /** The names those tarballs carry (they must be installed from them, not from the registry). */
  readonly ownPackages: readonly string[];
  readonly definition: SmokeDefinition;
  /** The workspace root: the project must live outside it. */
  readonly workspaceRoot: string;
  /** The TypeScript compiler (tsc's JS entry) to type-check with. */
  readonly tscPath: string;
  /** Extra env variables for the scripts (server URLs). */
  readonly env: Record<string, string>;
  /** Keep the project folder for inspection. */
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

// A user's strict settings as `tsc --init` writes them (skipLibCheck included: the
// declarations themselves are checked by tsup's dts build).
const SMOKE_TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
  files: ['smoke-types.cts', 'smoke-types.mts'],
};

/**
 * Creates a project in the OS temp folder, installs the tarballs with plain npm
 * (everything else from the registry: the required peers, the definition's extra
 * installs, @types/node), checks that our packages came from the tarballs, then
 * runs the CommonJS and ESM scripts and type-checks the TypeScript file.
 * Throws a {@link CheckFailure} when the install fails; returns the failures of
 * the three independent script steps (empty when all pass).
 */
export async function runSmokeProject(project: SmokeProject): Promise<CheckFailure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'release-check-smoke-'));
  try {
    if ((dir + sep).startsWith(project.workspaceRoot + sep)) {
      throw new CheckFailure('install', `the temp folder ${dir} is inside the workspace`);
    }
    await timedStep(project.log, 'install', () => install(project, dir));
    await timedStep(project.log, 'origin', () => checkOrigin(project, dir));
    const scriptEnv = { ...userEnv(), ...project.env };
    writeFileSync(join(dir, 'smoke.cjs'), project.definition.cjs);
    writeFileSync(join(dir, 'smoke.mjs'), project.definition.esm);
    writeFileSync(join(dir, 'smoke-types.cts'), project.definition.types);
    writeFileSync(join(dir, 'smoke-types.mts'), project.definition.types);
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(SMOKE_TSCONFIG, null, 2)}\n`);
    // Independent of each other: run all three so one report shows every broken entry.
    const steps: [string, string[], number][] = [
      ['cjs', ['smoke.cjs'], 60_000],
      ['esm', ['smoke.mjs'], 60_000],
      ['types', [project.tscPath, '-p', 'tsconfig.json'], 120_000],
    ];
    const failures: CheckFailure[] = [];
    for (const [step, args, timeoutMs] of steps) {
      try {
        await timedStep(project.log, step, () =>
          runCommand(process.execPath, args, opts(dir, scriptEnv, timeoutMs)),
        );
      } catch (error) {
        failures.push(error as CheckFailure);
      }
    }
    return failures;
  } finally {
    if (project.keep) project.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function install(project: SmokeProject, dir: string): Promise<void> {
  const manifest = { name: 'release-check-smoke', version: '1.0.0', private: true };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const peers = requiredPeers(project.manifest).filter((name) => !project.ownPackages.includes(name));
  const registryPackages = [...new Set([...peers, ...project.definition.extraInstalls, '@types/node@20'])];
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...project.tarballs,
    ...registryPackages,
  ];
  project.log(
    `  npm install ${[...project.tarballs.map((t) => t.split(sep).pop()), ...registryPackages].join(' ')}`,
  );
  await runCommand('npm', args, opts(dir, userEnv(), 240_000));
}

/** Every one of our packages in the install must come from a tarball, never from the registry. */
function checkOrigin(project: SmokeProject, dir: string): void {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string; resolved?: string }>;
  };
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const name = path.split('node_modules/').pop() ?? '';
    if (!name.startsWith('@session-stores/')) continue;
    if (!project.ownPackages.includes(name)) problems.push(`${path}: not one of the tarballs installed`);
    else if (!entry.resolved?.startsWith('file:')) problems.push(`${path}: came from ${entry.resolved}`);
  }
  for (const name of project.ownPackages) {
    if (!lock.packages?.[`node_modules/${name}`]) problems.push(`${name}: not installed at the top level`);
  }
  if (problems.length > 0) throw new CheckFailure('origin', problems.join('\n'));
}

/** The non-optional peers: what a user adds beside the package, as its README tells them. */
export function requiredPeers(manifest: PackageManifest): string[] {
  const meta = manifest.peerDependenciesMeta ?? {};
  return Object.keys(manifest.peerDependencies ?? {}).filter((name) => meta[name]?.optional !== true);
}

/** This environment without what pnpm and npm scripts add (npm_config_* would reconfigure the user's npm). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$|NODE_OPTIONS$|TS_NODE_)/i.test(key)) env[key] = value;
  }
  return env;
}

function opts(cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return { cwd, env, timeoutMs };
}
