import type { SessionStore } from '../../session-store';
import { DEFAULT_CASE_TIMEOUT_MS, registerConformance } from '../register';
import type { ConformanceOptions } from '../types';

/**
 * Registers the conformance suite for one store with Node's own test runner
 * (`node --test`): nothing to install. Skipped cases carry their reason.
 *
 * @example
 * runStoreConformanceWithNodeTest({ name: 'MyStore', storeClass: MyStore, createStore });
 */
export function runStoreConformanceWithNodeTest<S extends SessionStore>(
  options: ConformanceOptions<S>,
): void {
  // A name in a variable: the build drops the `node:` prefix of literal requires, and
  // `test` without it is not a built-in module.
  const builtin = 'node:test';
  const nodeTest = require(builtin) as typeof import('node:test');
  registerConformance(
    {
      describe: (name, body) => {
        nodeTest.describe(name, body);
      },
      test: (name, run, timeoutMs) => {
        nodeTest.it(name, { timeout: timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS }, run);
      },
      skip: (name, reason) => {
        nodeTest.it(name, { skip: reason }, () => undefined);
      },
      afterEach: (cleanup) => nodeTest.afterEach(cleanup),
    },
    options,
  );
}
