import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { checkTarballContents, listFiles, machinePaths, unpackedBytes } from '../src/tarball-contents';

const manifest = {
  name: '@session-stores/x-store',
  version: '1.0.0',
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
      require: { types: './dist/index.d.ts', default: './dist/index.js' },
    },
    './package.json': './package.json',
  },
  dependencies: { '@session-stores/core': '^1.0.0' },
};

const goodFiles: Record<string, string> = {
  'package.json': JSON.stringify(manifest),
  'README.md': '# x-store\n',
  LICENSE: 'MIT License\n',
  'CHANGELOG.md': '# @session-stores/x-store\n',
  'dist/index.js': 'module.exports = {};\n//# sourceMappingURL=index.js.map\n',
  'dist/index.js.map': JSON.stringify({ version: 3, sources: ['../src/index.ts'], mappings: '' }),
  'dist/index.mjs': 'export {};\n',
  'dist/index.d.ts': 'export {};\n',
  'dist/index.d.mts': 'export {};\n',
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Lays out a fake unpacked tarball: the good files, changed by `overrides` (null deletes). */
function fakeTarball(overrides: Record<string, string | null> = {}): string {
  dir = mkdtempSync(join(tmpdir(), 'release-check-tarball-'));
  const root = join(dir, 'package');
  for (const [file, text] of Object.entries({ ...goodFiles, ...overrides })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe('checkTarballContents', () => {
  test('accepts a tarball with code, both kinds of declarations, README, LICENSE and CHANGELOG', () => {
    expect(checkTarballContents(fakeTarball(), machinePaths())).toEqual([]);
  });

  test('rejects a test file and a test folder', () => {
    const root = fakeTarball({ 'dist/store.test.js': '', 'test/helper.js': '' });
    expect(checkTarballContents(root)).toEqual([
      'dist/store.test.js: a test file must not be published',
      'test/helper.js: a test folder must not be published',
    ]);
  });

  test('rejects sources and build configuration', () => {
    const root = fakeTarball({ 'src/index.ts': '', 'tsconfig.json': '{}' });
    expect(checkTarballContents(root)).toEqual([
      'src/index.ts: sources must not be published',
      'tsconfig.json: build configuration must not be published',
    ]);
  });

  test('rejects missing README, LICENSE, CHANGELOG and declarations', () => {
    const root = fakeTarball({ 'CHANGELOG.md': null, 'dist/index.d.mts': null });
    expect(checkTarballContents(root)).toEqual([
      'CHANGELOG.md: missing from the tarball',
      'dist/*.d.mts: none in the tarball',
      'package.json names ./dist/index.d.mts, which is not in the tarball',
    ]);
  });

  test('rejects a workspace: range left in the packed package.json', () => {
    const root = fakeTarball({
      'package.json': JSON.stringify({
        ...manifest,
        dependencies: { '@session-stores/core': 'workspace:^' },
      }),
    });
    expect(checkTarballContents(root)).toEqual([
      'package.json dependencies.@session-stores/core: "workspace:^" left unreplaced',
    ]);
  });

  test('rejects source maps pointing at absolute paths or at another package', () => {
    const root = fakeTarball({
      'dist/index.js.map': JSON.stringify({ version: 3, sources: ['/build/x/src/index.ts'], mappings: '' }),
      'dist/other.js.map': JSON.stringify({ version: 3, sources: ['../../core/src/ttl.ts'], mappings: '' }),
    });
    expect(checkTarballContents(root, [])).toEqual([
      'dist/index.js.map: source map points at the absolute path /build/x/src/index.ts',
      'dist/other.js.map: source map embeds ../../core/src/ttl.ts, outside this package',
    ]);
  });

  test('rejects a machine-specific path in any text file', () => {
    const root = fakeTarball({ 'dist/index.mjs': 'export {};\nconst dir = "/work/main/packages/x";\n' });
    expect(checkTarballContents(root, machinePaths())).toEqual([
      'dist/index.mjs: contains the machine path "/work/" (line 2)',
    ]);
  });
});

test('listFiles and unpackedBytes walk the whole tree', () => {
  const root = fakeTarball();
  expect(listFiles(root)).toEqual(Object.keys(goodFiles).sort());
  const bytes = Object.values(goodFiles).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  expect(unpackedBytes(root)).toBe(bytes);
});
