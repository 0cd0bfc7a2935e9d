import type { SessionStore } from '../session-store';
import { conformanceTarget, createCaseContext, effectiveCapabilities } from './context';
import { PLAIN_VARIANT } from './fixtures';
import { conformanceGroups } from './groups';
import { DEFAULT_CASE_TIMEOUT_MS } from './register';
import type { ConformanceOptions } from './types';

/** The outcome of one case run programmatically. */
export interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'unsupported';
  /** The failure, or the reason it is unsupported. */
  readonly detail?: string;
  /** The failure itself (an AssertionError carries `expected` and `actual`). */
  readonly error?: unknown;
  /** How long the case ran, in ms (0 when it did not run). */
  readonly durationMs: number;
}

/** Hooks of a programmatic run. */
export interface RunCasesHooks {
  /** Called with each outcome as soon as it is known (a command line prints progress with it). */
  onResult?(result: CaseResult): void;
}

/**
 * Runs the kit's cases without a test runner, one after the other, and reports each
 * outcome instead of failing. The command line and the kit's self-test use it.
 */
export async function runConformanceCases<S extends SessionStore>(
  options: ConformanceOptions<S>,
  groupNames?: readonly string[],
  hooks: RunCasesHooks = {},
): Promise<CaseResult[]> {
  const capabilities = effectiveCapabilities(options as unknown as ConformanceOptions);
  const target = conformanceTarget(options as unknown as ConformanceOptions);
  const results: CaseResult[] = [];
  const report = (result: CaseResult) => {
    results.push(result);
    hooks.onResult?.(result);
  };
  for (const group of conformanceGroups) {
    if (groupNames && !groupNames.includes(group.name)) continue;
    for (const testCase of group.cases) {
      const base = { group: group.name, name: testCase.name };
      const reason = testCase.unsupported?.(capabilities, options.inspect ?? {}, target);
      if (reason === PLAIN_VARIANT) continue;
      if (reason) {
        report({ ...base, status: 'unsupported', detail: reason, durationMs: 0 });
        continue;
      }
      const started = Date.now();
      const { context, verify, dispose } = createCaseContext(options);
      try {
        await withTimeout(testCase.run(context as never), testCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS);
        verify();
        report({ ...base, status: 'passed', durationMs: Date.now() - started });
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        report({ ...base, status: 'failed', detail, error: err, durationMs: Date.now() - started });
      } finally {
        await withTimeout(dispose(), 10_000).catch(() => undefined);
      }
    }
  }
  return results;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (the store never answered)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
