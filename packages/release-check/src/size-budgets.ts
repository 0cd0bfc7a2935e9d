/**
 * Unpacked size budgets of the published packages, in KiB (source maps, which embed
 * the sources, included). A package not listed here fails the check: add it with its
 * first release. Raise a budget only with a reason in the commit.
 */
export const SIZE_BUDGETS_KIB: Readonly<Record<string, number>> = {
  '@session-stores/core': 650,
  '@session-stores/redis-store': 450,
  '@session-stores/expredis-replicated': 560,
  '@session-stores/aerospike-store': 300,
  '@session-stores/pouch-store': 350,
  '@session-stores/alt-session-async': 400,
};

/** The budget verdict for one package. */
export interface SizeVerdict {
  readonly budgetBytes: number | undefined;
  /** Why the size fails, if it does. */
  readonly problem: string | undefined;
}

/** Compares a package's unpacked size with its budget. */
export function checkSizeBudget(
  name: string,
  bytes: number,
  budgets: Readonly<Record<string, number>> = SIZE_BUDGETS_KIB,
): SizeVerdict {
  const budgetKib = budgets[name];
  if (budgetKib === undefined) {
    return { budgetBytes: undefined, problem: `no size budget for ${name}: add one to src/size-budgets.ts` };
  }
  const budgetBytes = budgetKib * 1024;
  const problem =
    bytes > budgetBytes
      ? `unpacked ${formatKib(bytes)} is over the budget of ${formatKib(budgetBytes)}`
      : undefined;
  return { budgetBytes, problem };
}

/** `12.3 KiB`. */
export function formatKib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
