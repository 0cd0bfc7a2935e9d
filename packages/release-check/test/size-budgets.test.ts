import { describe, expect, test } from '@jest/globals';
import { checkSizeBudget, formatKib, SIZE_BUDGETS } from '../src/size-budgets';
import { findWorkspaceRoot, listPackages } from '../src/workspace-packages';

const KIB = 1024;
const budgets = { a: { packedKib: 10, unpackedKib: 40 } };

describe('size budgets', () => {
  test('every published package of the workspace has one, packed and unpacked', () => {
    const published = listPackages(findWorkspaceRoot(__dirname)).filter((p) => p.published);
    expect(published.length).toBeGreaterThan(0);
    for (const pkg of published)
      expect({ name: pkg.name, budget: SIZE_BUDGETS[pkg.name] }).toEqual({
        name: pkg.name,
        budget: { packedKib: expect.any(Number), unpackedKib: expect.any(Number) },
      });
  });

  test('a package within both budgets passes', () => {
    expect(checkSizeBudget('a', { packedBytes: 10 * KIB, unpackedBytes: 40 * KIB }, budgets)).toEqual({
      budget: budgets.a,
      problems: [],
    });
  });

  test('a package over its packed budget fails with both sizes', () => {
    expect(
      checkSizeBudget('a', { packedBytes: 10 * KIB + 1, unpackedBytes: 30 * KIB }, budgets).problems,
    ).toEqual(['packed 10.0 KiB is over the budget of 10.0 KiB']);
  });

  test('a package over its unpacked budget fails with both sizes', () => {
    expect(checkSizeBudget('a', { packedBytes: 8 * KIB, unpackedBytes: 41 * KIB }, budgets).problems).toEqual(
      ['unpacked 41.0 KiB is over the budget of 40.0 KiB'],
    );
  });

  test('a package far under its budget fails, saying which budget to set', () => {
    expect(checkSizeBudget('a', { packedBytes: 6 * KIB, unpackedBytes: 20 * KIB }, budgets).problems).toEqual(
      [
        'packed 6.0 KiB is far under the budget of 10.0 KiB: lower it to 7 KiB',
        'unpacked 20.0 KiB is far under the budget of 40.0 KiB: lower it to 23 KiB',
      ],
    );
  });

  test('a package without a budget fails', () => {
    expect(checkSizeBudget('b', { packedBytes: 1, unpackedBytes: 1 }, budgets).problems).toEqual([
      'no size budget for b: add one to src/size-budgets.ts',
    ]);
  });

  test('formatKib prints one decimal', () => {
    expect(formatKib(1536)).toBe('1.5 KiB');
  });
});
