import { randomBytes } from 'node:crypto';
import { beforeAll } from '@jest/globals';
import { createEncryptingSerializer } from '@session-stores/core';
import { runStoreConformance } from '@session-stores/core/conformance';
import { AerospikeStore } from '../src';
import { NAMESPACE, rawInspect, uniqueSet, useAerospike } from './helpers';

/**
 * Encrypted values are base64 text, a third larger than the JSON they hold: the kit's 1 MB
 * session no longer fits the default max-record-size (1 MiB). The namespace gets 2 MiB for
 * this file, set as an operator would, and its setting back at the end (raising it is
 * harmless to the other files sharing a real server).
 */
const ENCRYPTED_MAX_RECORD_SIZE = String(2 * 1024 * 1024);
let restoreMaxRecordSize: string | undefined;

const set = uniqueSet('kit-encrypted');
const backend = useAerospike([set], NAMESPACE, {
  beforeClose: async () => {
    if (restoreMaxRecordSize !== undefined) await setMaxRecordSize(restoreMaxRecordSize);
  },
});
const serializer = createEncryptingSerializer({ keys: [{ id: 'kit', key: randomBytes(32) }] });

async function setMaxRecordSize(value: string): Promise<void> {
  const reply = await backend().client.infoAny(
    `set-config:context=namespace;id=${NAMESPACE};max-record-size=${value}`,
  );
  if (!/\tok\b/.test(reply)) throw new Error(`set-config max-record-size=${value} failed: ${reply}`);
}

beforeAll(async () => {
  const reply = await backend().client.infoAny(`get-config:context=namespace;id=${NAMESPACE}`);
  const current = /(?:^|[\t;])max-record-size=(\d+)/.exec(reply)?.[1];
  if (current === undefined) throw new Error(`namespace ${NAMESPACE}: no max-record-size in ${reply}`);
  if (Number(current) < Number(ENCRYPTED_MAX_RECORD_SIZE)) {
    restoreMaxRecordSize = current;
    await setMaxRecordSize(ENCRYPTED_MAX_RECORD_SIZE);
  }
});

// The whole contract again with sessions encrypted at rest: the session bin and the cookie
// bin are each encrypted, so touch still writes the cookie bin without reading the record.
runStoreConformance<AerospikeStore>({
  name: 'AerospikeStore (encrypted)',
  storeClass: AerospikeStore,
  createStore: ({ prefix, options }) =>
    new AerospikeStore({
      ...options,
      prefix,
      serializer,
      client: backend().client,
      namespace: NAMESPACE,
      set,
    }),
  inspect: rawInspect(() => backend().client),
});
