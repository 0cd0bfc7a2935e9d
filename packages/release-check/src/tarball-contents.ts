import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type ExportTarget, INSTALLED_DEPENDENCY_FIELDS, type PackageManifest } from './package-manifest';

/** Files every tarball must carry besides its built code. */
export const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'] as const;

/** Built code and declarations: each kind must be in dist/. */
export const REQUIRED_DIST_EXTENSIONS = ['.js', '.mjs', '.d.ts', '.d.mts'] as const;

/** Paths (inside the tarball) that are never published: tests, sources, build configuration. */
const FORBIDDEN_PATHS: readonly [RegExp, string][] = [
  [/(^|\/)(test|tests|__tests__|__mocks__)\//, 'a test folder'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test file'],
  [/^src\//, 'sources'],
  [/(?<!\.d)\.[cm]?tsx?$/, 'a TypeScript source file'],
  [/(^|\/)node_modules\//, 'node_modules'],
  [/(^|\/)\.turbo\//, 'turbo cache'],
  [/(^|\/)(tsconfig[^/]*\.json|jest\.config\.[cm]?js|tsup\.config\.[cm]?ts)$/, 'build configuration'],
  [/\.tgz$/, 'a tarball'],
  [/(^|\/)\.env(\.|$)/, 'an env file'],
];

/** Path fragments that only mean something on the machine that built the package. */
export function machinePaths(extra: readonly string[] = []): string[] {
  const paths = ['/work/', '/root/', '/tmp/', '/home/', '/Users/', 'C:\\Users\\', `${homedir()}/`, ...extra];
  return [...new Set(paths.filter((p) => p.length > 2))];
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
export function listFiles(dir: string, base = dir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path, base));
    else files.push(relative(base, path).split(sep).join('/'));
  }
  return files.sort();
}

/** The total size of the files under `dir`, in bytes. */
export function unpackedBytes(dir: string): number {
  return listFiles(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/**
 * Checks an unpacked tarball (the folder holding its package.json): required files,
 * built code and declarations, every entry point present, no workspace: ranges, no
 * tests or sources, source maps that stay inside the package, and no machine paths.
 * Returns one line per problem.
 */
export function checkTarballContents(
  root: string,
  forbiddenText: readonly string[] = machinePaths(),
): string[] {
  const problems: string[] = [];
  const files = listFiles(root);
  for (const required of REQUIRED_FILES) {
    if (!files.includes(required)) problems.push(`${required}: missing from the tarball`);
  }
  for (const extension of REQUIRED_DIST_EXTENSIONS) {
    const found = files.some((f) => f.startsWith('dist/') && f.endsWith(extension));
    if (!found) problems.push(`dist/*${extension}: none in the tarball`);
  }
  for (const file of files) {
    const forbidden = FORBIDDEN_PATHS.find(([pattern]) => pattern.test(file));
    if (forbidden) problems.push(`${file}: ${forbidden[1]} must not be published`);
  }
  if (files.includes('package.json')) {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageManifest;
    problems.push(...checkPackedManifest(manifest, new Set(files)));
  }
  for (const file of files) {
    const text = readText(join(root, file));
    if (text === undefined) continue;
    const found = forbiddenText.find((fragment) => text.includes(fragment));
    if (found) problems.push(`${file}: contains the machine path "${found}" (line ${lineOf(text, found)})`);
    if (file.endsWith('.map')) problems.push(...checkSourceMap(root, file, text));
  }
  return problems;
}

/** The packed package.json: workspace ranges replaced, and every entry point it names is in the tarball. */
function checkPackedManifest(manifest: PackageManifest, files: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const field of [...INSTALLED_DEPENDENCY_FIELDS, 'devDependencies'] as const) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith('workspace:'))
        problems.push(`package.json ${field}.${dep}: "${range}" left unreplaced`);
    }
  }
  const targets = [manifest.main, manifest.module, manifest.types, ...exportPaths(manifest.exports)];
  for (const versions of Object.values(manifest.typesVersions ?? {})) {
    for (const paths of Object.values(versions)) targets.push(...paths);
  }
  for (const target of targets) {
    if (target === undefined || target.includes('*')) continue;
    const path = target.replace(/^\.\//, '');
    if (!files.has(path)) problems.push(`package.json names ${target}, which is not in the tarball`);
  }
  return problems;
}

function exportPaths(target: ExportTarget | undefined): string[] {
  if (typeof target === 'string') return [target];
  if (!target) return [];
  return Object.values(target).flatMap(exportPaths);
}

/** A source map's sources must be relative and stay inside the package (no other package's sources). */
function checkSourceMap(root: string, file: string, text: string): string[] {
  let map: { sources?: unknown; sourceRoot?: unknown };
  try {
    map = JSON.parse(text) as typeof map;
  } catch {
    return [`${file}: not valid JSON`];
  }
  const problems: string[] = [];
  if (typeof map.sourceRoot === 'string' && isAbsolute(map.sourceRoot)) {
    problems.push(`${file}: absolute sourceRoot ${map.sourceRoot}`);
  }
  for (const source of Array.isArray(map.sources) ? map.sources : []) {
    if (typeof source !== 'string') continue;
    if (isAbsolute(source) || /^[a-z]+:\/\//i.test(source)) {
      problems.push(`${file}: source map points at the absolute path ${source}`);
    } else if (!resolve(dirname(join(root, file)), source).startsWith(root + sep)) {
      problems.push(`${file}: source map embeds ${source}, outside this package`);
    }
  }
  return problems;
}

function readText(path: string): string | undefined {
  const buffer = readFileSync(path);
  return buffer.includes(0) ? undefined : buffer.toString('utf8');
}

function lineOf(text: string, fragment: string): number {
  return text.slice(0, text.indexOf(fragment)).split('\n').length;
}
