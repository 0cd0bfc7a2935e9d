import { runStoreConformance } from '@session-stores/core/conformance';
import { AerospikeStore } from '../src';
import { NAMESPACE, PATIENT_CLIENT, rawInspect, uniqueSet, useAerospike } from './helpers';

const set = uniqueSet('kit');
const backend = useAerospike([set]);
const inspect = rawInspect(() => backend().client);

// All stores share the file's set, so prefix isolation is tested for real.
runStoreConformance<AerospikeStore>({
  name: "AerospikeStore (the app's client)",
  storeClass: AerospikeStore,
  createStore: ({ prefix, options }) =>
    new AerospikeStore({ ...options, prefix, client: backend().client, namespace: NAMESPACE, set }),
  inspect,
});

runStoreConformance<AerospikeStore>({
  name: 'AerospikeStore (its own client)',
  storeClass: AerospikeStore,
  createStore: async ({ prefix, options }) => {
    const store = new AerospikeStore({
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
