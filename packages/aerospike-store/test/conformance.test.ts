import { expect, test } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { NAMESPACE, PATIENT_CLIENT, rawInspect, uniqueSet, useAerospike } from './helpers';
import { CountingStore, touchCounts } from './support/counting-store';

const set = uniqueSet('kit');
const backend = useAerospike([set]);
const inspect = rawInspect(() => backend().client);

// All stores share the file's set, so prefix isolation is tested for real. CountingStore is
// AerospikeStore counting the touches core skips (touchMargin), checked at the end.
runStoreConformance<CountingStore>({
  name: "AerospikeStore (the app's client)",
  storeClass: CountingStore,
  createStore: ({ prefix, options }) =>
    new CountingStore({ ...options, prefix, client: backend().client, namespace: NAMESPACE, set }),
  inspect,
});

runStoreConformance<CountingStore>({
  name: 'AerospikeStore (its own client)',
  storeClass: CountingStore,
  createStore: async ({ prefix, options }) => {
    const store = new CountingStore({
      ...PATIENT_CLIENT,
      ...options,
      prefix,
      hosts: backend().hosts,
      namespace: NAMESPACE,
      set,
    });
    await store.ready(15_000);
    return store;
  },
  inspect,
});

// Runs after the kits (jest keeps the file's order): the touchMargin group passing proves no
// session expired early; this proves the store reported expiries, so touches were skipped.
// (The whole kit is not run with touchMargin on: "expired sessions are not listed" waits
// 2.5 s for a 1 s session, which the margin keeps 2 s on a server counting whole seconds.)
test("the kit's touchMargin cases skipped touches the stored expiry covered, and wrote the others", () => {
  expect(touchCounts.skipped).toBeGreaterThan(0);
  expect(touchCounts.written).toBeGreaterThan(0);
});
