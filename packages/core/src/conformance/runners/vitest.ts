import type { SessionStore } from '../../session-store';
import { DEFAULT_CASE_TIMEOUT_MS, registerConformance } from '../register';
import type { ConformanceOptions } from '../types';

/** What the kit needs from `vitest` (pass the module: `import * as vitest from 'vitest'`). */
export interface VitestApi {
  describe(name: string, body: () => void): void;
  test: ((name: string, run: () => Promise<void>, timeoutMs?: number) => void) & {
    skip(name: string, run: () => void): void;
  };
  afterEach(cleanup: () => Promise<void>): void;
}

/**
 * Registers the conformance suite for one store with vitest. vitest cannot be loaded
 * with `require`, so the test file passes it in.
 *
 * @example
 * import * as vitest from 'vitest';
 * runStoreConformanceWithVitest(vitest, { name: 'MyStore', storeClass: MyStore, createStore });
 */
export function runStoreConformanceWithVitest<S extends SessionStore>(
  vitest: VitestApi,
  options: ConformanceOptions<S>,
): void {
  registerConformance(
    {
      describe: (name, body) => vitest.describe(name, body),
      test: (name, run, timeoutMs) => vitest.test(name, run, timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS),
      skip: (name) => vitest.test.skip(name, () => undefined),
      afterEach: (cleanup) => vitest.afterEach(cleanup),
    },
    options,
  );
}
