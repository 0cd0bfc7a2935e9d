import { describe } from '@jest/globals';
import { runStoreConformance } from '@session-stores/core/conformance';
import { describeWithBackend, useRedisGroup, useStarted } from '@session-stores/test-servers';
import Redis from 'ioredis';
import { createClient, type RedisClientType } from 'redis';
import { ReplicatedStore } from '../src';
import { KIT_COMMAND_TIMEOUT_MS, rawInspect, readyStore } from './helpers';

describeWithBackend('redis', 'ReplicatedStore on three servers', () => {
  const servers = useRedisGroup(3);

  // Declared after the servers, so these clients close (afterAll order) before the servers stop.
  describe('one replica of each kind: a url config, a node-redis client, an ioredis client', () => {
    const nodeRedis = useStarted<RedisClientType>(
      'the resource',
      async () => {
        const client: RedisClientType = createClient({ url: servers()[1]?.url });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      },
      async (client) => {
        if (client.isOpen) await client.destroy();
      },
    );
    const ioredis = useStarted<Redis>(
      'the resource',
      async () => {
        const client = new Redis(servers()[2]?.url as string, { lazyConnect: true });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      },
      async (client) => client.disconnect(),
    );

    runStoreConformance<ReplicatedStore>({
      name: 'ReplicatedStore',
      storeClass: ReplicatedStore,
      createStore: ({ prefix, options }) =>
        readyStore({
          commandTimeout: KIT_COMMAND_TIMEOUT_MS,
          ...options,
          prefix,
          clients: [{ url: servers()[0]?.url }, nodeRedis(), ioredis()],
        }),
      inspect: rawInspect(servers),
    });
  });

  describe("readPolicy 'newest', store-made clients", () => {
    runStoreConformance<ReplicatedStore>({
      name: "ReplicatedStore (readPolicy 'newest')",
      storeClass: ReplicatedStore,
      createStore: ({ prefix, options }) =>
        readyStore({
          commandTimeout: KIT_COMMAND_TIMEOUT_MS,
          ...options,
          prefix,
          readPolicy: 'newest',
          clients: servers().map(({ url }) => ({ url })),
        }),
      inspect: rawInspect(servers),
    });
  });
});
