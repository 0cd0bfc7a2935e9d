import { randomBytes } from 'node:crypto';
import { createEncryptingSerializer } from '@session-stores/core';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedisGroup } from '@session-stores/test-servers';
import { ReplicatedStore } from '../src';
import { KIT_COMMAND_TIMEOUT_MS, rawInspect, readyStore } from './helpers';

// The whole contract again with sessions encrypted at rest: the envelope keeps the
// ciphertext as text, and touch rewrites it on the client instead of on the servers. Reads
// ask a quorum (readPolicy 'newest'): an encrypted touch takes two round trips per server,
// so with 'first' a read right after it may meet the slowest server before its rewrite,
// within the declared replicationLagMs, which the kit's cases do not wait for (the plain
// suite covers 'first'; seen once in a run with two CPU hogs: the old cookie.expires).
describeWithBackend('redis', 'ReplicatedStore with the encrypting serializer', () => {
  const servers = useRedisGroup(3);
  const serializer = createEncryptingSerializer({ keys: [{ id: 'kit', key: randomBytes(32) }] });
  runStoreConformance<ReplicatedStore>({
    name: 'ReplicatedStore (encrypted)',
    storeClass: ReplicatedStore,
    createStore: ({ prefix, options }) =>
      readyStore({
        commandTimeout: KIT_COMMAND_TIMEOUT_MS,
        ...options,
        prefix,
        serializer,
        readPolicy: 'newest',
        clients: servers().map(({ url }) => ({ url })),
      }),
    inspect: rawInspect(servers),
  });
});
