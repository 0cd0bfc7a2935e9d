import type { SessionStore } from '../session-store';
import { conformanceTarget, createCaseContext, effectiveCapabilities, type ManagedContext } from './context';
import { PLAIN_VARIANT } from './fixtures';
import { conformanceGroups } from './groups';
import type { ConformanceOptions } from './types';

/** How long a case without a `timeoutMs` of its own may take, under every runner. */
export const DEFAULT_CASE_TIMEOUT_MS = 30_000;

/**
 * The parts of a test runner the kit registers its cases with. The adapters for jest,
 * vitest, mocha and node:test build one; another runner needs only these four.
 */
export interface ConformanceRunner {
  /** Opens a group of tests (`describe`). */
  describe(name: string, body: () => void): void;
  /** Registers one test; `timeoutMs` is undefined for a case without a timeout of its own (then use {@link DEFAULT_CASE_TIMEOUT_MS}). */
  test(name: string, run: () => Promise<void>, timeoutMs: number | undefined): void;
  /** Registers a test that is shown as skipped, with the reason in its title. */
  skip(name: string, reason: string): void;
  /** Runs `cleanup` after each test of the innermost open group. */
  afterEach(cleanup: () => Promise<void>): void;
}

/**
 * Registers the conformance suite for one store with a test runner: a group per kit
 * group, a test per case. A case the store's capabilities rule out is registered as
 * skipped, with the reason in its title, so it shows in the report.
 */
export function registerConformance<S extends SessionStore>(
  runner: ConformanceRunner,
  options: ConformanceOptions<S>,
): void {
  const capabilities = effectiveCapabilities(options as unknown as ConformanceOptions);
  const target = conformanceTarget(options as unknown as ConformanceOptions);
  runner.describe(`${options.name} conformance`, () => {
    let current: ManagedContext<S> | undefined;
    runner.afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });
    for (const group of conformanceGroups) {
      runner.describe(group.name, () => {
        for (const testCase of group.cases) {
          const reason = testCase.unsupported?.(capabilities, options.inspect ?? {}, target);
          // A plain store's variant of a core case would only repeat, skipped, what the core case checks.
          if (reason === PLAIN_VARIANT) continue;
          if (reason) {
            runner.skip(`${testCase.name} [unsupported: ${reason}]`, reason);
            continue;
          }
          runner.test(
            testCase.name,
            async () => {
              current = createCaseContext(options);
              await testCase.run(current.context as never);
              current.verify();
            },
            testCase.timeoutMs,
          );
        }
      });
    }
  });
}
