import type { SessionStore } from '../../session-store';
import { DEFAULT_CASE_TIMEOUT_MS, registerConformance } from '../register';
import type { ConformanceOptions } from '../types';

type JestGlobals = typeof import('@jest/globals');

/**
 * Registers the conformance suite for one store with jest: a `describe` per group, a
 * `test` per case. A case the store's capabilities rule out is registered as skipped,
 * with the reason in its title, so it shows in the report.
 *
 * @example
 * runStoreConformance({
 *   name: 'MemoryStore',
 *   storeClass: MemoryStore,
 *   createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
 * });
 */
export function runStoreConformance<S extends SessionStore>(options: ConformanceOptions<S>): void {
  // Loaded here, not at the top: under any other runner (and the command line) the kit must
  // load without jest installed.
  const jest = require('@jest/globals') as JestGlobals;
  registerConformance(
    {
      describe: (name, body) => jest.describe(name, body),
      // jest's own default (5 s) is too short for an HTTP flow on a busy machine, and the kit
      // bounds each case by the same 30 s itself.
      test: (name, run, timeoutMs) => jest.test(name, run, timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS),
      skip: (name) => jest.test.skip(name, () => undefined),
      afterEach: (cleanup) => jest.afterEach(cleanup),
    },
    options,
  );
}
