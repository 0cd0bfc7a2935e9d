/** How an operation failed: its error, that error's `code`, and how long the failure took to come. */
export interface TimedFailure {
  readonly err: unknown;
  readonly code: unknown;
  readonly ms: number;
}

/** Runs `operation` and times its rejection (for fail-fast tests); throws if it succeeds. */
export async function timedFailure(operation: () => Promise<unknown>): Promise<TimedFailure> {
  const started = Date.now();
  try {
    await operation();
  } catch (err) {
    return { err, code: (err as { code?: unknown } | null)?.code, ms: Date.now() - started };
  }
  throw new Error('expected the operation to fail');
}
