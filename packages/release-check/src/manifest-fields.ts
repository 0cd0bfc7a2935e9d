import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportTarget, PackageManifest } from './package-manifest';

/** The repository every published package points at. */
export const REPOSITORY_URL = 'git+https://github.com/session-stores/session-stores.git';

/** What {@link checkManifestFields} needs to know about one published package. */
export interface ManifestUnderCheck {
  readonly manifest: PackageManifest;
  /** The package folder (for its LICENSE file). */
  readonly dir: string;
  /** The folder name under `packages/` (for `repository.directory`). */
  readonly folder: string;
  /** The text of the repository's root LICENSE, which every package must carry unchanged. */
  readonly rootLicense: string;
}

/**
 * Checks the package.json fields a published package needs; returns one line per
 * problem (empty when all is well).
 */
export function checkManifestFields({ manifest: m, dir, folder, rootLicense }: ManifestUnderCheck): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, problem: string): void => {
    if (!ok) problems.push(problem);
  };

  need(m.name?.startsWith('@session-stores/'), `name: expected @session-stores/<name>, got ${m.name}`);
  need(typeof m.version === 'string' && /^\d+\.\d+\.\d+/.test(m.version), 'version: missing or not semver');
  need(m.license === 'MIT', `license: expected "MIT", got ${JSON.stringify(m.license)}`);
  const licensePath = join(dir, 'LICENSE');
  if (!existsSync(licensePath)) problems.push('LICENSE: file missing in the package folder');
  else
    need(sameText(readFileSync(licensePath, 'utf8'), rootLicense), 'LICENSE: differs from the root LICENSE');
  need(m.engines?.node === '>=20', `engines.node: expected ">=20", got ${JSON.stringify(m.engines?.node)}`);

  const repo = typeof m.repository === 'object' ? m.repository : undefined;
  need(repo?.type === 'git', 'repository.type: expected "git"');
  need(repo?.url === REPOSITORY_URL, `repository.url: expected ${REPOSITORY_URL}`);
  need(
    repo?.directory === `packages/${folder}`,
    `repository.directory: expected "packages/${folder}", got ${JSON.stringify(repo?.directory)}`,
  );
  need(
    // Every package is about sessions; not all are express-session stores (alt-session-async is a middleware).
    Array.isArray(m.keywords) && m.keywords.includes('session'),
    'keywords: expected an array including "session"',
  );
  need(
    m.sideEffects === false || Array.isArray(m.sideEffects),
    'sideEffects: expected false or a list of files',
  );
  need(m.publishConfig?.access === 'public', 'publishConfig.access: expected "public" (scoped packages)');
  need(Array.isArray(m.files) && m.files.includes('dist'), 'files: expected a list including "dist"');
  need(m.main?.endsWith('.js'), 'main: expected the CommonJS entry (.js)');
  need(m.types?.endsWith('.d.ts'), 'types: expected the CommonJS declarations (.d.ts)');
  need(typeof m.scripts?.build === 'string', 'scripts.build: missing');
  problems.push(...checkExports(m.exports));

  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    // workspace:* would publish an exact pin; workspace:^ publishes a caret range.
    if (range.startsWith('workspace:') && range !== 'workspace:^') {
      problems.push(`dependencies.${dep}: expected "workspace:^", got "${range}"`);
    }
  }
  return problems;
}

/**
 * Every entry but ./package.json must have `import` and `require` conditions, each
 * with its own `types` (first, .d.mts / .d.ts) and a `default`.
 */
function checkExports(exports: PackageManifest['exports']): string[] {
  if (!exports || typeof exports !== 'object') return ['exports: missing'];
  if (!('.' in exports)) return ['exports: no "." entry'];
  const problems: string[] = [];
  for (const [entry, target] of Object.entries(exports)) {
    if (entry === './package.json') continue;
    for (const [condition, typesExtension] of [
      ['import', '.d.mts'],
      ['require', '.d.ts'],
    ] as const) {
      const branch = isConditions(target) ? target[condition] : undefined;
      if (!isConditions(branch)) {
        problems.push(`exports["${entry}"].${condition}: expected { types, default }`);
        continue;
      }
      const keys = Object.keys(branch);
      const types = branch.types;
      if (typeof types !== 'string' || !types.endsWith(typesExtension)) {
        problems.push(`exports["${entry}"].${condition}.types: expected a ${typesExtension} file`);
      } else if (keys[0] !== 'types') {
        problems.push(`exports["${entry}"].${condition}: "types" must come first`);
      }
      if (typeof branch.default !== 'string')
        problems.push(`exports["${entry}"].${condition}.default: missing`);
    }
  }
  return problems;
}

function isConditions(target: ExportTarget | undefined): target is { [condition: string]: ExportTarget } {
  return typeof target === 'object' && target !== null;
}

function sameText(a: string, b: string): boolean {
  return a.replace(/\r\n/g, '\n').trim() === b.replace(/\r\n/g, '\n').trim();
}
