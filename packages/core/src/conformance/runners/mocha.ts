import type { SessionStore } from '../../session-store';
import { DEFAULT_CASE_TIMEOUT_MS, registerConformance } from '../register';
import type { ConformanceOptions } from '../types';

/** mocha's BDD globals, as a test file run by `mocha` has them. */
interface MochaGlobals {
  describe(name: string, body: () => void): void;
  it: ((name: string, run: () => Promise<void>) => { timeout(ms: number): unknown }) & {
    skip(name: string, run: () => void): void;
  };
  afterEach(cleanup: () => Promise<void>): void;
}

/**
 * Registers the conformance suite for one store with mocha (BDD interface, the default):
 * call it at the top level of a test file run by `mocha`. Cases get their own timeouts
 * (30 s by default) instead of mocha's 2 s.
 *
 * @example
 * runStoreConformanceWithMocha({ name: 'MyStore', storeClass: MyStore, createStore });
 */
export function runStoreConformanceWithMocha<S extends SessionStore>(options: ConformanceOptions<S>): void {
  const mocha = globalThis as unknown as Partial<MochaGlobals>;
  if (typeof mocha.describe !== 'function' || typeof mocha.it !== 'function') {
    throw new Error(
      'runStoreConformanceWithMocha: no mocha globals (run this file with mocha, BDD interface)',
    );
  }
  const { describe, it, afterEach } = mocha as MochaGlobals;
  registerConformance(
    {
      describe: (name, body) => describe(name, body),
      test: (name, run, timeoutMs) => {
        it(name, run).timeout(timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS);
      },
      skip: (name) => it.skip(name, () => undefined),
      afterEach: (cleanup) => afterEach(cleanup),
    },
    options,
  );
}
