import { expect, test } from '@jest/globals';
import { findWorkspaceRoot, listPackages, withWorkspaceDependencies } from '../src/workspace-packages';

const packages = listPackages(findWorkspaceRoot(__dirname));
const names = packages.map((p) => p.name);

test('lists the packages under packages/, core before its dependents and private ones marked', () => {
  expect(names.indexOf('@session-stores/core')).toBeGreaterThanOrEqual(0);
  expect(names.indexOf('@session-stores/core')).toBeLessThan(names.indexOf('@session-stores/redis-store'));
  expect(packages.find((p) => p.name === '@session-stores/test-servers')?.published).toBe(false);
  expect(packages.find((p) => p.name === '@session-stores/release-check')?.published).toBe(false);
});

test('puts every package after the workspace packages it installs with', () => {
  for (const pkg of packages) {
    for (const dep of withWorkspaceDependencies(pkg, packages)) {
      expect(names.indexOf(dep)).toBeLessThanOrEqual(names.indexOf(pkg.name));
    }
  }
});

test('a dependent installs core with it, not its devDependencies', () => {
  const synthetic = {
    name: '@session-stores/x-store',
    folder: 'x-store',
    dir: '/nowhere',
    published: true,
    hasEntry: true,
    manifest: {
      dependencies: { '@session-stores/core': 'workspace:^' },
      devDependencies: { '@session-stores/test-servers': 'workspace:*' },
    },
  };
  expect(withWorkspaceDependencies(synthetic, [...packages, synthetic])).toEqual([
    '@session-stores/core',
    '@session-stores/x-store',
  ]);
});
