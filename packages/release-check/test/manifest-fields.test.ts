import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { checkManifestFields, REPOSITORY_URL } from '../src/manifest-fields';
import type { PackageManifest } from '../src/package-manifest';
import { findWorkspaceRoot, listPackages } from '../src/workspace-packages';

const root = findWorkspaceRoot(__dirname);
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

describe('every published package in the workspace', () => {
  for (const pkg of listPackages(root).filter((p) => p.published)) {
    // A package still being written (no src/index.ts) is reported, not failed.
    const title = pkg.hasEntry ? pkg.name : `${pkg.name} [skipped: not built yet, no src/index.ts]`;
    (pkg.hasEntry ? test : test.skip)(`${title} has the package.json fields a release needs`, () => {
      expect(checkManifestFields({ ...pkg, rootLicense })).toEqual([]);
    });
  }
});

describe('checkManifestFields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-check-fields-'));
  writeFileSync(join(dir, 'LICENSE'), rootLicense);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const good: PackageManifest = {
    name: '@session-stores/x-store',
    version: '1.0.0',
    license: 'MIT',
    keywords: ['express-session', 'session'],
    repository: { type: 'git', url: REPOSITORY_URL, directory: 'packages/x-store' },
    engines: { node: '>=20' },
    sideEffects: false,
    publishConfig: { access: 'public' },
    files: ['dist', 'README.md', 'CHANGELOG.md', 'LICENSE'],
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': {
        import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
        require: { types: './dist/index.d.ts', default: './dist/index.js' },
      },
      './package.json': './package.json',
    },
    scripts: { build: 'tsup' },
    dependencies: { '@session-stores/core': 'workspace:^' },
  };
  const check = (manifest: PackageManifest, license = rootLicense) =>
    checkManifestFields({ manifest, dir, folder: 'x-store', rootLicense: license });

  test('accepts a complete manifest', () => {
    expect(check(good)).toEqual([]);
  });

  test.each<[string, PackageManifest, string]>([
    ['a license other than MIT', { ...good, license: 'ISC' }, 'license: expected "MIT", got "ISC"'],
    ['no engines.node', { ...good, engines: {} }, 'engines.node: expected ">=20", got undefined'],
    [
      'a repository without its directory',
      { ...good, repository: { type: 'git', url: REPOSITORY_URL } },
      'repository.directory: expected "packages/x-store", got undefined',
    ],
    ['no keywords', { ...good, keywords: undefined }, 'keywords: expected an array including "session"'],
    ['no sideEffects', { ...good, sideEffects: undefined }, 'sideEffects: expected false or a list of files'],
    [
      'no publishConfig',
      { ...good, publishConfig: undefined },
      'publishConfig.access: expected "public" (scoped packages)',
    ],
    ['files without dist', { ...good, files: ['lib'] }, 'files: expected a list including "dist"'],
    ['no main', { ...good, main: undefined }, 'main: expected the CommonJS entry (.js)'],
    ['no types', { ...good, types: undefined }, 'types: expected the CommonJS declarations (.d.ts)'],
    [
      'a workspace:* dependency (an exact pin once published)',
      { ...good, dependencies: { '@session-stores/core': 'workspace:*' } },
      'dependencies.@session-stores/core: expected "workspace:^", got "workspace:*"',
    ],
    [
      'an import condition without its own types',
      {
        ...good,
        exports: {
          '.': {
            import: './dist/index.mjs',
            require: { types: './dist/index.d.ts', default: './dist/index.js' },
          },
        },
      },
      'exports["."].import: expected { types, default }',
    ],
    [
      'types that are not the first condition',
      {
        ...good,
        exports: {
          '.': {
            import: { default: './dist/index.mjs', types: './dist/index.d.mts' },
            require: { types: './dist/index.d.ts', default: './dist/index.js' },
          },
        },
      },
      'exports["."].import: "types" must come first',
    ],
    [
      'CommonJS declarations for the import condition',
      {
        ...good,
        exports: {
          '.': {
            import: { types: './dist/index.d.ts', default: './dist/index.mjs' },
            require: { types: './dist/index.d.ts', default: './dist/index.js' },
          },
        },
      },
      'exports["."].import.types: expected a .d.mts file',
    ],
  ])('rejects %s', (_what, manifest, problem) => {
    expect(check(manifest)).toEqual([problem]);
  });

  test('rejects a LICENSE that differs from the root one', () => {
    expect(check(good, 'ISC License')).toEqual(['LICENSE: differs from the root LICENSE']);
  });

  test('rejects a package folder without a LICENSE file', () => {
    const bare = mkdtempSync(join(tmpdir(), 'release-check-fields-'));
    try {
      expect(checkManifestFields({ manifest: good, dir: bare, folder: 'x-store', rootLicense })).toEqual([
        'LICENSE: file missing in the package folder',
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
