import { describe, expect, test } from '@jest/globals';
import { ErrorCode, InvalidOptionError } from '@session-stores/core';
import Redis, { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  RedisStore,
  type RedisStoreOptions,
} from '../src';

/** A client that never connects (nothing is sent to it in these tests). */
const idleClient = () => new Redis({ lazyConnect: true });

/** Every constructor call here fails before any client is created or connected. */
const INVALID: Array<[string, Record<string, unknown>]> = [
  ['client', { client: 42 }],
  ['client', { client: 'redis://localhost' }],
  ['client', { client: { get() {} } }],
  ['url', { url: 'not a url' }],
  ['url', { url: 'http://localhost:6379' }],
  ['url', { url: 6379 }],
  ['host', { host: '' }],
  ['host', { host: 127 }],
  ['port', { port: 0 }],
  ['port', { port: 70_000 }],
  ['port', { port: 6379.5 }],
  ['port', { port: '6379' }],
  ['socket', { socket: '' }],
  ['socket', { socket: '/tmp/redis.sock', host: 'localhost' }],
  ['db', { db: -1 }],
  ['db', { db: 1.5 }],
  ['password', { password: 1234 }],
  ['prefix', { prefix: 5 }],
  ['prefix', { prefix: 'line\nbreak' }],
  ['scanCount', { scanCount: 0 }],
  ['scanCount', { scanCount: -10 }],
  ['scanCount', { scanCount: 2.5 }],
  ['scanCount', { scanCount: '100' }],
  ['commandTimeout', { commandTimeout: 0 }],
  ['commandTimeout', { commandTimeout: -1 }],
  ['commandTimeout', { commandTimeout: Number.NaN }],
  ['commandTimeout', { commandTimeout: Number.POSITIVE_INFINITY }],
  ['commandTimeout', { commandTimeout: '2000' }],
  ['ttl', { ttl: 0 }],
  ['ttl', { ttl: '1d' }],
  ['disableTTL', { disableTTL: 'yes' }],
  ['disableTouch', { disableTouch: 1 }],
  ['serializer', { serializer: { parse: JSON.parse } }],
  ['onCorrupt', { onCorrupt: 'ignore' }],
  ['logErrors', { logErrors: 'yes' }],
  ['unref', { unref: 1 }],
];

describe('RedisStore options', () => {
  for (const [option, options] of INVALID) {
    test(`rejects ${option}: ${JSON.stringify(options[option]) ?? String(options[option])}`, () => {
      let thrown: unknown;
      try {
        new RedisStore(options as RedisStoreOptions);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect(thrown).toMatchObject({ code: ErrorCode.InvalidOption, option });
      expect(String((thrown as Error).message)).toContain(`"${option}"`);
    });
  }

  test('a client together with connection options names the connection option', () => {
    const client = idleClient();
    expect(() => new RedisStore({ client, url: 'redis://localhost' })).toThrow(
      expect.objectContaining({ option: 'url' }),
    );
    expect(() => new RedisStore({ client, db: 2 })).toThrow(expect.objectContaining({ option: 'db' }));
    client.disconnect();
  });

  test('unref is refused for a cluster client', () => {
    const ioredisCluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const nodeRedisCluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
    for (const client of [ioredisCluster, nodeRedisCluster]) {
      expect(() => new RedisStore({ client, unref: true })).toThrow(
        expect.objectContaining({ option: 'unref' }),
      );
    }
    ioredisCluster.disconnect();
  });

  test('defaults: prefix sess:, scanCount 1000, commandTimeout 2000 ms, and the app keeps its client', async () => {
    const client = idleClient();
    const store = new RedisStore({ client });
    expect(store.prefix).toBe(DEFAULT_PREFIX);
    expect(DEFAULT_PREFIX).toBe('sess:');
    expect(store.scanCount).toBe(DEFAULT_SCAN_COUNT);
    expect(DEFAULT_SCAN_COUNT).toBe(1000);
    expect(store.commandTimeout).toBe(DEFAULT_COMMAND_TIMEOUT_MS);
    expect(DEFAULT_COMMAND_TIMEOUT_MS).toBe(2000);
    expect(store.ownsClient).toBe(false);
    expect(store.client).toBe(client);
    await store.close();
    // close() leaves a client it was given alone (and removes its own listeners from it).
    expect(client.status).toBe('wait');
    expect(client.listenerCount('error')).toBe(0);
    client.disconnect();
  });

  test('an empty prefix is allowed, as in connect-redis', async () => {
    const client = idleClient();
    const store = new RedisStore({ client, prefix: '' });
    expect(store.prefix).toBe('');
    await store.close();
    client.disconnect();
  });
});
