import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  respCommand,
  uniquePrefix,
  useRedis,
} from '@session-stores/test-servers';
import { RedisStore, type RedisStoreOptions } from '../src';
import { connectionTarget } from '../src/own-client';

const session = (data: Record<string, unknown> = {}): SessionData =>
  ({
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' },
    ...data,
  }) as never;

/** Opens a store with its own client, runs `use`, and always closes it. */
async function withStore(
  options: RedisStoreOptions,
  use: (store: RedisStore) => Promise<void>,
  Store: typeof RedisStore = RedisStore,
): Promise<void> {
  const store = new Store(options);
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

describe('connection options', () => {
  test('explicit host, port, db and password win over the url', () => {
    expect(connectionTarget({ url: 'redis://u:p%40ss@example.com:7000/4', host: 'other', db: 2 })).toEqual({
      host: 'other',
      port: 7000,
      path: undefined,
      tls: false,
      username: 'u',
      password: 'p@ss',
      db: 2,
    });
  });

  test('defaults are 127.0.0.1:6379, db 0, and rediss:// means TLS', () => {
    expect(connectionTarget({})).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, tls: false });
    expect(connectionTarget({ url: 'rediss://[::1]' })).toMatchObject({ host: '::1', port: 6379, tls: true });
  });

  test('a url whose path is not a database index names the url option', () => {
    expect(() => connectionTarget({ url: 'redis://localhost/abc' })).toThrow(
      expect.objectContaining({ option: 'url' }),
    );
  });

  test('a url database index is digits only: 1e2, 0x1 and 1.0 are refused like alt-session-async refuses them', () => {
    for (const url of ['redis://localhost/1e2', 'redis://localhost/0x1', 'redis://localhost/1.0']) {
      expect(() => connectionTarget({ url })).toThrow('is not a database index');
    }
    expect(connectionTarget({ url: 'redis://localhost/12' }).db).toBe(12);
  });
});

describeWithBackend('redis', 'RedisStore creating its own client', () => {
  const redis = useRedis();
  const prefix = uniquePrefix('own');
  cleanUpPrefix(redis, prefix);

  test('from host and port, into the db it is given; close() closes the client it created', async () => {
    const { host, port } = redis();
    let store: RedisStore | undefined;
    await withStore({ host, port, db: 3, prefix }, async (s) => {
      store = s;
      await s.ready();
      expect(s.ownsClient).toBe(true);
      await s.set('in-db-3', session({ db: 3 }));
      expect(await respCommand({ host, port, db: 3 }, ['EXISTS', `${prefix}in-db-3`])).toBe(1);
      expect(await respCommand({ host, port }, ['EXISTS', `${prefix}in-db-3`])).toBe(0);
      await s.destroy('in-db-3');
    });
    expect((store?.client as { isOpen?: boolean }).isOpen).toBe(false);
  });

  test('with ioredis when node-redis is not installed', async () => {
    // A fresh module registry in which `require('redis')` fails as if it were not installed.
    await jest.isolateModulesAsync(async () => {
      jest.doMock('redis', () => {
        throw Object.assign(new Error("Cannot find module 'redis'"), { code: 'MODULE_NOT_FOUND' });
      });
      const isolated = require('../src') as { RedisStore: typeof RedisStore };
      await withStore(
        { url: redis().url, prefix },
        async (store) => {
          await store.ready();
          expect(typeof (store.client as { call?: unknown }).call).toBe('function'); // ioredis' API
          await store.set('io', session({ lib: 'ioredis' }));
          expect(await store.get('io')).toMatchObject({ lib: 'ioredis' });
          await store.touch('io', session({ lib: 'ioredis' }));
          await store.destroy('io');
        },
        isolated.RedisStore,
      );
    });
  });
});

describeWithBackend('redis', 'RedisStore creating its own client, with a password', () => {
  const redis = useRedis({ args: ['--requirepass', 's3cret'] });

  test('the password is used; a wrong one fails with ERR_BACKEND_CONFIG naming the reason', async () => {
    const { host, port } = redis();
    await withStore({ host, port, password: 's3cret', prefix: 'pw:' }, async (store) => {
      await store.ready();
      await store.set('s', session());
      expect(await store.get('s')).not.toBeNull();
    });
    await withStore({ host, port, password: 'wrong', commandTimeout: 500 }, async (store) => {
      const err = await store.get('s').catch((error: unknown) => error);
      expect(err).toMatchObject({ code: ErrorCode.BackendMisconfigured });
      expect(String((err as Error).message)).toMatch(/WRONGPASS|invalid password/);
    });
  });
});

const socketDir = mkdtempSync(join(tmpdir(), 'redis-store-sock-'));
const socketPath = join(socketDir, 'redis.sock');
afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

describeWithBackend('redis', 'RedisStore creating its own client, over a unix socket', () => {
  useRedis({ args: ['--unixsocket', socketPath, '--unixsocketperm', '700'] });

  test('the socket option connects through the socket file', async () => {
    await withStore({ socket: socketPath, prefix: 'sock:' }, async (store) => {
      await store.ready();
      await store.set('s', session({ via: 'socket' }));
      expect(await store.get('s')).toMatchObject({ via: 'socket' });
    });
  });
});
