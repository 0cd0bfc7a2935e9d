/** A package's size budget, in KiB: the gzipped tarball and the files it unpacks to. */
export interface SizeBudget {
  readonly packedKib: number;
  readonly unpackedKib: number;
}

/**
 * Size budgets of the published packages: the size measured from the tarball plus
 * about 15%. A package not listed here fails the check: add it with its first release.
 * Raise a budget only with a reason in the commit; a package far under its budget
 * fails too, so a budget follows the package down when it gets leaner.
 * Measured (KiB, packed / unpacked) when set: core 47.3 / 181.7, redis-store 30.6 / 143.6,
 * expredis-replicated 34.6 / 126.0, aerospike-store 22.1 / 79.4, pouch-store 20.2 / 76.5,
 * alt-session-async 24.0 / 93.3.
 * Raised: core to 58.2 / 224.2 measured (the overlapping-requests protection and its kit
 * group, the option checks moved into core); redis-store to 42.0 / 163.9 (the shared
 * connection layer, which its main entry and its ./connection entry each bundle a copy of);
 * alt-session-async to 34.9 / 135.8 measured (it bundles the parts of core and of redis-store's
 * connection layer it uses, so that it depends on neither and an app using it gets no
 * express-session types);
 * core to 70.9 / 276.0 measured (a user's sessions: the user index in the base class and
 * MemoryStore, and the kit's user sessions group, bundled in the CommonJS and ESM builds);
 * aerospike-store to 26.6 / 97.6 measured (main's build 25.0 / 90.8: the user bin, its
 * secondary index and query, and the README section on them);
 * core to 80.5 / 306.7 measured with the kit alone (the conformance kit for any runner and
 * for plain express-session stores, its own expect, the conformance command line,
 * CONFORMANCE.md);
 * core to 90.8 / 340.0 measured with encryption and telemetry alone (issue 17: the
 * encrypting serializer, the value cipher and reencryptSessions, the store channels, the
 * ./opentelemetry entry, and their docs), and to what it measures with all three since;
 * after merging issues 13-20 (npm pack, 2026-12-07): core 117.1 / 437.6, redis-store 63.4 /
 * 213.1 (the user index scripts and the client cache, in both entries), pouch-store 23.3 /
 * 88.5 (the user field and its index), alt-session-async 44.0 / 172.9 (encryption, with
 * the parts of core it bundles): budgets about 10% above;
 * issue 18 (touchMargin skips on every store, npm pack, 2026-12-07): aerospike-store 32.6 /
 * 114.3 (the record-TTL expiry and the README's figures on a real Aerospike and what limits
 * each route), expredis-replicated 40.7 / 147.5 (the quorum expiry bound of reads, the read's
 * stored text, their README section): budgets about 10% above.
 */
export const SIZE_BUDGETS: Readonly<Record<string, SizeBudget>> = {
  '@session-stores/core': { packedKib: 125, unpackedKib: 480 },
  '@session-stores/redis-store': { packedKib: 70, unpackedKib: 235 },
  '@session-stores/expredis-replicated': { packedKib: 45, unpackedKib: 162 },
  '@session-stores/aerospike-store': { packedKib: 36, unpackedKib: 126 },
  '@session-stores/pouch-store': { packedKib: 26, unpackedKib: 98 },
  '@session-stores/alt-session-async': { packedKib: 49, unpackedKib: 190 },
};

/** A budget this many times the size is stale: lower it. */
export const STALE_BUDGET_RATIO = 1.5;

/** The headroom a new budget gets over the measured size. */
const HEADROOM = 1.15;

/** A packed package's sizes, in bytes. */
export interface PackageSizes {
  readonly packedBytes: number;
  readonly unpackedBytes: number;
}

/** The budget verdict for one package. */
export interface SizeVerdict {
  readonly budget: SizeBudget | undefined;
  /** Why the sizes fail, one line each (empty when they pass). */
  readonly problems: string[];
}

/** Compares a package's packed and unpacked sizes with its budget. */
export function checkSizeBudget(
  name: string,
  sizes: PackageSizes,
  budgets: Readonly<Record<string, SizeBudget>> = SIZE_BUDGETS,
): SizeVerdict {
  const budget = budgets[name];
  if (budget === undefined) {
    return { budget, problems: [`no size budget for ${name}: add one to src/size-budgets.ts`] };
  }
  const problems: string[] = [];
  const compare = (what: string, bytes: number, budgetKib: number): void => {
    const budgetBytes = budgetKib * 1024;
    const suggestion = `${Math.ceil((bytes * HEADROOM) / 1024)} KiB`;
    if (bytes > budgetBytes) {
      problems.push(`${what} ${formatKib(bytes)} is over the budget of ${formatKib(budgetBytes)}`);
    } else if (bytes * STALE_BUDGET_RATIO < budgetBytes) {
      problems.push(
        `${what} ${formatKib(bytes)} is far under the budget of ${formatKib(budgetBytes)}: lower it to ${suggestion}`,
      );
    }
  };
  compare('packed', sizes.packedBytes, budget.packedKib);
  compare('unpacked', sizes.unpackedBytes, budget.unpackedKib);
  return { budget, problems };
}

/** `12.3 KiB`. */
export function formatKib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
