/** What {@link whenReady} needs of a store: core's `ready(timeoutMs)` and `close()`. */
export interface ReadyableStore {
  ready(timeoutMs?: number): Promise<unknown>;
  close(): Promise<unknown>;
}

/**
 * Resolves to `store` once it is ready, as the conformance kit expects from `createStore`.
 * A store that does not get ready is closed before the error is rethrown, so its
 * connections do not outlive the test.
 */
export async function whenReady<S extends ReadyableStore>(store: S, timeoutMs = 10_000): Promise<S> {
  try {
    await store.ready(timeoutMs);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
