import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import { RedisStore } from '../src';
import { closeIoRedis, closeNodeRedis, openIoRedis, openNodeRedis, rawInspect, readyStore } from './helpers';

describeWithBackend('redis', 'RedisStore on one server', () => {
  const redis = useRedis();
  const inspect = {
    ...rawInspect(
      () =>
        (...args) =>
          redis().command(...args),
    ),
    // The server closes the store's connection, as in an outage; the client reconnects by itself.
    dropConnection: async (store: RedisStore) => {
      const client = store.client as unknown as {
        call?: (...args: string[]) => Promise<unknown>;
        sendCommand?: (args: string[]) => Promise<unknown>;
      };
      const id = client.call
        ? await client.call('CLIENT', 'ID')
        : await client.sendCommand?.(['CLIENT', 'ID']);
      await redis().command('CLIENT', 'KILL', 'ID', String(id));
    },
  };

  describe('clients', () => {
    const nodeRedis = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    const ioredis = useStarted('the client', () => openIoRedis(redis().url), closeIoRedis);

    runStoreConformance<RedisStore>({
      name: 'RedisStore (node-redis client)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: nodeRedis() }),
      inspect,
    });
    runStoreConformance<RedisStore>({
      name: 'RedisStore (ioredis client)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, client: ioredis() }),
      inspect,
    });
    runStoreConformance<RedisStore>({
      name: 'RedisStore (own client from url)',
      storeClass: RedisStore,
      createStore: ({ prefix, options }) => readyStore({ ...options, prefix, url: redis().url }),
      inspect,
    });
  });
});
