/** How long a graceful close may take before the connection is dropped instead. */
const GRACEFUL_CLOSE_MS = 1000;

/**
 * Runs a graceful close (QUIT, node-redis v5 `close()`), bounded in time: resolves true
 * when it finished within GRACEFUL_CLOSE_MS, false when it failed or ran out of time (the
 * caller then drops the connection at once).
 */
export async function closedGracefully(close: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), GRACEFUL_CLOSE_MS);
  });
  try {
    return await Promise.race([close().then(() => true), timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
