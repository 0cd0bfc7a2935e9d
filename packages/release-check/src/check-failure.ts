/** A failed step of the release check; the report names the package and this step. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';

  /**
   * @param step the step that failed (`build`, `pack`, `contents`, `install`, `cjs`, ...).
   * @param message what went wrong, for the person reading the CI log.
   */
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `task`, turning any error it throws into a {@link CheckFailure} of `step`. */
export async function asStep<T>(step: string, task: () => Promise<T> | T): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof CheckFailure) throw error;
    throw new CheckFailure(step, error instanceof Error ? error.message : String(error));
  }
}

/** {@link asStep}, logging `  <step>: ok (1.2s)` when it passes. */
export async function timedStep<T>(
  log: (line: string) => void,
  step: string,
  task: () => Promise<T> | T,
): Promise<T> {
  const started = Date.now();
  const value = await asStep(step, task);
  log(`  ${step}: ok (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  return value;
}
