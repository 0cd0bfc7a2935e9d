import { randomBytes } from 'node:crypto';
import { createEncryptingSerializer } from '@session-stores/core';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedis } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import { readyStore, serverInspect } from './helpers';

// The whole contract again with sessions encrypted at rest: touch then rewrites the
// ciphertext with a compare-and-set instead of splicing JSON on the server. One client
// kind is enough here; the plain suite covers each.
describeWithBackend('redis', 'RedisStore with the encrypting serializer', () => {
  const redis = useRedis();
  const serializer = createEncryptingSerializer({ keys: [{ id: 'kit', key: randomBytes(32) }] });
  runStoreConformance<RedisStore>({
    name: 'RedisStore (encrypted, own client from url)',
    storeClass: RedisStore,
    createStore: ({ prefix, options }) => readyStore({ ...options, prefix, serializer, url: redis().url }),
    inspect: serverInspect(() => redis()),
  });
});
