// Live operation counts and latencies of the demo's store, read from the store channels
// every store of @session-stores/core publishes on (node:diagnostics_channel).
const { STORE_OPERATIONS, subscribeStoreOperations } = require('@session-stores/core');

/** Latencies are summarised over each operation's most recent calls. */
const LATENCY_WINDOW = 200;

/** The value at quantile `q` of sorted numbers. */
function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (ms) => (ms === null ? null : Math.round(ms * 1000) / 1000);

/**
 * Counts every operation of `store` (and only of it: other stores in the process publish
 * on the same channels) and keeps the latencies of the last {@link LATENCY_WINDOW} calls
 * of each. Stops by itself once the store is closed, or with `stop()`.
 * @param {import('@session-stores/core').SessionStore} store
 */
function watchOperations(store) {
  const className = store.constructor.name;
  const { prefix } = store;
  const startedAt = new WeakMap();
  /** @type {Map<string, { count: number, errors: number, lastError: string | null, latencies: number[], next: number }>} */
  const byOperation = new Map();
  const isOurs = (context) => context.store === className && context.prefix === prefix;

  const stopListening = subscribeStoreOperations({
    start(context) {
      if (isOurs(context)) startedAt.set(context, performance.now());
    },
    asyncEnd(context) {
      const started = startedAt.get(context);
      if (started === undefined) return;
      startedAt.delete(context);
      let entry = byOperation.get(context.operation);
      if (!entry) {
        entry = { count: 0, errors: 0, lastError: null, latencies: [], next: 0 };
        byOperation.set(context.operation, entry);
      }
      entry.count += 1;
      if (context.error !== undefined) {
        entry.errors += 1;
        entry.lastError = context.code ?? 'unknown';
      }
      // A ring of the last calls' latencies.
      entry.latencies[entry.next] = performance.now() - started;
      entry.next = (entry.next + 1) % LATENCY_WINDOW;
    },
  });

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopListening();
    store.removeListener('disconnect', stopOnClose);
  };
  const stopOnClose = () => {
    if (store.closed) stop();
  };
  store.on('disconnect', stopOnClose);

  return {
    stop,
    /** One row per operation seen, in the channels' documented order, then any others. */
    snapshot() {
      const known = [...STORE_OPERATIONS];
      const names = [...byOperation.keys()].sort(
        (a, b) => (known.indexOf(a) + 1 || known.length + 1) - (known.indexOf(b) + 1 || known.length + 1),
      );
      return names.map((operation) => {
        const entry = byOperation.get(operation);
        const sorted = [...entry.latencies].sort((a, b) => a - b);
        const mean = sorted.length ? sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length : null;
        return {
          operation,
          count: entry.count,
          errors: entry.errors,
          lastError: entry.lastError,
          meanMs: round(mean),
          p50Ms: round(quantile(sorted, 0.5)),
          p99Ms: round(quantile(sorted, 0.99)),
        };
      });
    },
  };
}

/** `0.42 ms`, `12.3 ms`, or `–`. */
function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

module.exports = { LATENCY_WINDOW, formatMs, watchOperations };
