/** Options of {@link waitUntil}. */
export interface WaitUntilOptions {
  /** Gives up after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** What is being waited for, used in the timeout message. */
  what?: string;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns true. A throwing check counts as "not yet" (servers refuse connections
 * while starting); the last error is quoted in the timeout message to make a hang diagnosable.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: WaitUntilOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}${cause}`);
}

/**
 * Calls `call` until it resolves and returns its value; a rejection counts as "not yet", as
 * in {@link waitUntil}. For calls around a fault test that a busy machine may push past a
 * short `commandTimeout`, when only the calls made during the fault are under test.
 */
export async function retried<T>(call: () => Promise<T>, options: WaitUntilOptions = {}): Promise<T> {
  let value: T | undefined;
  await waitUntil(
    async () => {
      value = await call();
      return true;
    },
    { what: 'a call to succeed', ...options },
  );
  return value as T;
}
