import { describe, expect, test } from '@jest/globals';
import { compareVersions, publishedRange, satisfies } from '../src/semver-range';

describe('satisfies', () => {
  test.each<[string, string, boolean]>([
    ['1.4.0', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['0.2.9', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.1', '^0.0.0', false],
    ['0.0.0', '^0.0.0', true],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.2', '~1.2.3', false],
    ['3.0.0', '>=2.0.0', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['9.9.9', '*', true],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});

test('publishedRange rewrites workspace: specs as pnpm pack does', () => {
  expect(publishedRange('workspace:^', '0.1.0')).toBe('^0.1.0');
  expect(publishedRange('workspace:~', '0.1.0')).toBe('~0.1.0');
  expect(publishedRange('workspace:*', '0.1.0')).toBe('0.1.0');
  expect(publishedRange('workspace:>=1.0.0', '1.2.0')).toBe('>=1.0.0');
  expect(publishedRange('^4.0.0', '1.0.0')).toBe('^4.0.0');
});

test('compareVersions orders by major, minor, patch', () => {
  expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
  expect(compareVersions('0.1.0', '0.1.0')).toBe(0);
  expect(() => compareVersions('1.0', '1.0.0')).toThrow('not a version: 1.0');
});
