import { describe, expect, test } from '@jest/globals';
import { checkSizeBudget, formatKib, SIZE_BUDGETS_KIB } from '../src/size-budgets';
import { findWorkspaceRoot, listPackages } from '../src/workspace-packages';

describe('size budgets', () => {
  test('every published package of the workspace has one', () => {
    const published = listPackages(findWorkspaceRoot(__dirname)).filter((p) => p.published);
    for (const pkg of published)
      expect({ name: pkg.name, budget: SIZE_BUDGETS_KIB[pkg.name] }).toEqual({
        name: pkg.name,
        budget: expect.any(Number),
      });
  });

  test('a package within its budget passes, with the budget in bytes', () => {
    expect(checkSizeBudget('a', 10 * 1024, { a: 10 })).toEqual({
      budgetBytes: 10 * 1024,
      problem: undefined,
    });
  });

  test('a package over its budget fails with both sizes', () => {
    expect(checkSizeBudget('a', 10 * 1024 + 1, { a: 10 }).problem).toBe(
      'unpacked 10.0 KiB is over the budget of 10.0 KiB',
    );
  });

  test('a package without a budget fails', () => {
    expect(checkSizeBudget('b', 1, { a: 10 }).problem).toBe(
      'no size budget for b: add one to src/size-budgets.ts',
    );
  });

  test('formatKib prints one decimal', () => {
    expect(formatKib(1536)).toBe('1.5 KiB');
  });
});
