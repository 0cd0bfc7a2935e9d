import { describe, expect, test } from '@jest/globals';
import { checkVersionBumps, type VersionSnapshot } from '../src/version-bumps';

const CORE = '@session-stores/core';
const pkg = (name: string, version: string, extra: Partial<VersionSnapshot> = {}): VersionSnapshot => ({
  name,
  version,
  private: false,
  ranges: {},
  changelog: `# ${name}\n\n## ${version}\n`,
  ...extra,
});
const workspace = (...packages: VersionSnapshot[]) => new Map(packages.map((p) => [p.name, p]));
const dependent = (version: string, extra: Partial<VersionSnapshot> = {}) =>
  pkg('@session-stores/redis-store', version, { ranges: { [CORE]: 'workspace:^' }, ...extra });
const demo = (version: string) =>
  pkg('@session-stores/demo', version, { private: true, ranges: { [CORE]: 'workspace:*' } });

describe('checkVersionBumps', () => {
  test('passes when core and its out-of-range dependent are bumped and private packages are not', () => {
    const report = checkVersionBumps(
      CORE,
      workspace(pkg(CORE, '0.0.0'), dependent('0.0.0'), demo('0.0.0')),
      workspace(pkg(CORE, '0.1.0'), dependent('0.0.1'), demo('0.0.0')),
    );
    expect(report.problems).toEqual([]);
    expect(report.lines).toEqual([
      '@session-stores/core 0.0.0 -> 0.1.0 (changeset)',
      '@session-stores/redis-store 0.0.0 -> 0.0.1 (depends on @session-stores/core ^0.0.0)',
      '@session-stores/demo 0.0.0 unchanged (private)',
    ]);
  });

  test('fails when a dependent whose range excludes the new core is not bumped', () => {
    const report = checkVersionBumps(
      CORE,
      workspace(pkg(CORE, '0.1.0'), dependent('0.1.0')),
      workspace(pkg(CORE, '0.2.0'), dependent('0.1.0')),
    );
    expect(report.problems).toEqual([
      '@session-stores/redis-store: depends on @session-stores/core ^0.1.0, which excludes 0.2.0, but was not bumped',
    ]);
  });

  test('lets a dependent whose range still admits the new core keep its version', () => {
    const report = checkVersionBumps(
      CORE,
      workspace(pkg(CORE, '1.0.0'), dependent('1.0.0')),
      workspace(pkg(CORE, '1.0.1'), dependent('1.0.0')),
    );
    expect(report.problems).toEqual([]);
  });

  test('fails when core itself is not bumped or has no CHANGELOG entry', () => {
    expect(
      checkVersionBumps(CORE, workspace(pkg(CORE, '1.0.0')), workspace(pkg(CORE, '1.0.0'))).problems,
    ).toEqual(['@session-stores/core: version not bumped (1.0.0)']);
    const noEntry = pkg(CORE, '1.0.1', { changelog: '# core\n' });
    expect(checkVersionBumps(CORE, workspace(pkg(CORE, '1.0.0')), workspace(noEntry)).problems).toEqual([
      '@session-stores/core: CHANGELOG.md has no "## 1.0.1" entry',
    ]);
  });

  test('fails when a private package gets versioned', () => {
    const report = checkVersionBumps(
      CORE,
      workspace(pkg(CORE, '1.0.0'), demo('0.0.0')),
      workspace(pkg(CORE, '1.0.1'), demo('0.0.1')),
    );
    expect(report.problems).toEqual(['@session-stores/demo: private but versioned 0.0.0 -> 0.0.1']);
  });

  test('fails when a dependent keeps a range that excludes the new core', () => {
    const pinned = { ranges: { [CORE]: '^0.1.0' } };
    const report = checkVersionBumps(
      CORE,
      workspace(pkg(CORE, '0.1.0'), dependent('0.1.0', pinned)),
      workspace(pkg(CORE, '0.2.0'), dependent('0.1.1', pinned)),
    );
    expect(report.problems).toEqual([
      '@session-stores/redis-store: its range ^0.1.0 for @session-stores/core excludes the new 0.2.0',
    ]);
  });
});
