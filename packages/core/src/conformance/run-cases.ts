import type { SessionStore } from '../session-store';
import { createCaseContext, effectiveCapabilities } from './context';
import { conformanceGroups } from './groups';
import type { ConformanceOptions } from './types';

/** The outcome of one case run programmatically. */
export interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'unsupported';
  /** The failure, or the reason it is unsupported. */
  readonly detail?: string;
}

/**
 * Runs the kit's cases outside jest's registration, one after the other, and
 * reports each outcome instead of failing. The kit's self-test uses it to prove
 * that deliberately broken stores are caught by the group they break.
 */
export async function runConformanceCases<S extends SessionStore>(
  options: ConformanceOptions<S>,
  groupNames?: readonly string[],
): Promise<CaseResult[]> {
  const capabilities = effectiveCapabilities(options as unknown as ConformanceOptions);
  const results: CaseResult[] = [];
  for (const group of conformanceGroups) {
    if (groupNames && !groupNames.includes(group.name)) continue;
    for (const testCase of group.cases) {
      const reason = testCase.unsupported?.(capabilities, options.inspect ?? {});
      if (reason) {
        results.push({ group: group.name, name: testCase.name, status: 'unsupported', detail: reason });
        continue;
      }
      const { context, dispose } = createCaseContext(options);
      try {
        await withTimeout(testCase.run(context as never), testCase.timeoutMs ?? 30_000);
        results.push({ group: group.name, name: testCase.name, status: 'passed' });
      } catch (err) {
        results.push({ group: group.name, name: testCase.name, status: 'failed', detail: String(err) });
      } finally {
        await dispose();
      }
    }
  }
  return results;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
