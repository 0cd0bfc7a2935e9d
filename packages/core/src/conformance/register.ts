import { afterEach, describe, test } from '@jest/globals';
import type { SessionStore } from '../session-store';
import { createCaseContext, effectiveCapabilities, type ManagedContext } from './context';
import { conformanceGroups } from './groups';
import type { ConformanceOptions } from './types';

/**
 * Registers the conformance suite for one store with jest: a `describe` per
 * group, a `test` per case. A case the store's capabilities rule out is
 * registered as skipped, with the reason in its title, so it shows in the report.
 *
 * @example
 * runStoreConformance({
 *   name: 'MemoryStore',
 *   storeClass: MemoryStore,
 *   createStore: ({ prefix, options }) => new MemoryStore({ ...options, prefix }),
 * });
 */
export function runStoreConformance<S extends SessionStore>(options: ConformanceOptions<S>): void {
  const capabilities = effectiveCapabilities(options as unknown as ConformanceOptions);
  describe(`${options.name} conformance`, () => {
    let current: ManagedContext<S> | undefined;
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });
    for (const group of conformanceGroups) {
      describe(group.name, () => {
        for (const testCase of group.cases) {
          const reason = testCase.unsupported?.(capabilities, options.inspect ?? {});
          if (reason) {
            test.skip(`${testCase.name} [unsupported: ${reason}]`, () => undefined);
            continue;
          }
          test(
            testCase.name,
            async () => {
              current = createCaseContext(options);
              await testCase.run(current.context as never);
            },
            testCase.timeoutMs,
          );
        }
      });
    }
  });
}
