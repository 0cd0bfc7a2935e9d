import { afterAll, describe, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedisGroup,
} from '@session-stores/test-servers';
import { createClient, type RedisClientType } from 'redis';
import { ReplicatedStore, type ReplicatedStoreOptions } from '../src';
import { readHeader } from '../src/envelope';
import { readyStore, session, text, urlsOf } from './helpers';

/** Valid servers for the validation cases: nothing connects, the constructor throws first. */
const nowhere = [
  { host: '127.0.0.1', port: 1 },
  { host: '127.0.0.1', port: 2 },
  { host: '127.0.0.1', port: 3 },
];

const fakeCluster = {
  sendCommand: () => Promise.resolve(null),
  nodeClient: () => undefined,
  masters: [],
  isOpen: true,
  on: () => undefined,
  removeListener: () => undefined,
};

describe('ReplicatedStore options', () => {
  const invalid: Array<[string, unknown, string]> = [
    ['no options', undefined, 'clients'],
    ['null options', null, 'options'],
    ['no clients', {}, 'clients'],
    ['empty clients', { clients: [] }, 'clients'],
    ['clients not an array', { clients: 'redis://127.0.0.1' }, 'clients'],
    ['a null entry', { clients: [null] }, 'clients[0]'],
    ['a port as a string', { clients: [{ port: '6379' }] }, 'clients[0].port'],
    ['a port out of range', { clients: [{ port: 70_000 }] }, 'clients[0].port'],
    ['a URL of another scheme', { clients: [{ url: 'http://127.0.0.1' }] }, 'clients[0].url'],
    ['an unknown connection option', { clients: [{ host: 'a' }, { tls: true }] }, 'clients[1].tls'],
    ['a socket with a port', { clients: [{ socket: '/tmp/redis.sock', port: 1 }] }, 'clients[0].socket'],
    ['a negative db', { clients: [{ db: -1 }] }, 'clients[0].db'],
    [
      'the same server twice',
      { clients: [{ url: 'redis://127.0.0.1:7001' }, { host: '127.0.0.1', port: 7001 }] },
      'clients[1]',
    ],
    ['a cluster as a replica', { clients: [fakeCluster] }, 'clients[0]'],
    ['something that is not a client', { clients: [{ sendCommand: () => undefined }] }, 'clients[0]'],
    ['writeQuorum 0', { clients: nowhere, writeQuorum: 0 }, 'writeQuorum'],
    ['writeQuorum above the servers', { clients: nowhere, writeQuorum: 4 }, 'writeQuorum'],
    ['writeQuorum 1.5', { clients: nowhere, writeQuorum: 1.5 }, 'writeQuorum'],
    ['writeQuorum "most"', { clients: nowhere, writeQuorum: 'most' }, 'writeQuorum'],
    ['readPolicy "fastest"', { clients: nowhere, readPolicy: 'fastest' }, 'readPolicy'],
    ['readRepair "yes"', { clients: nowhere, readRepair: 'yes' }, 'readRepair'],
    ['commandTimeout 0', { clients: nowhere, commandTimeout: 0 }, 'commandTimeout'],
    ['commandTimeout "100"', { clients: nowhere, commandTimeout: '100' }, 'commandTimeout'],
    ['hedgeDelay -1', { clients: nowhere, hedgeDelay: -1 }, 'hedgeDelay'],
    ['hedgeDelay "5"', { clients: nowhere, hedgeDelay: '5' }, 'hedgeDelay'],
    ['hedgeDelay NaN', { clients: nowhere, hedgeDelay: Number.NaN }, 'hedgeDelay'],
    ['hedgeDelay Infinity', { clients: nowhere, hedgeDelay: Number.POSITIVE_INFINITY }, 'hedgeDelay'],
    ['hedgeDelay null', { clients: nowhere, hedgeDelay: null }, 'hedgeDelay'],
    ['scanCount 0', { clients: nowhere, scanCount: 0 }, 'scanCount'],
    ['unref 1', { clients: nowhere, unref: 1 }, 'unref'],
    // expredis refused these ttl values too (its test suite: 3.1, '5', true, {}, []).
    ['ttl 3.1', { clients: nowhere, ttl: 3.1 }, 'ttl'],
    ['ttl "5"', { clients: nowhere, ttl: '5' }, 'ttl'],
    ['ttl true', { clients: nowhere, ttl: true }, 'ttl'],
    ['ttl {}', { clients: nowhere, ttl: {} }, 'ttl'],
    ['ttl []', { clients: nowhere, ttl: [] }, 'ttl'],
    ['ttl Symbol()', { clients: nowhere, ttl: Symbol('ttl') }, 'ttl'],
    ['ttl 0 (expredis accepted it, then failed every write)', { clients: nowhere, ttl: 0 }, 'ttl'],
    ['ttl -1', { clients: nowhere, ttl: -1 }, 'ttl'],
    ['ttl false with disableTTL false', { clients: nowhere, ttl: false, disableTTL: false }, 'disableTTL'],
    ['a prefix that is not a string', { clients: nowhere, prefix: 5 }, 'prefix'],
    [
      'a serializer without parse',
      { clients: nowhere, serializer: { stringify: JSON.stringify } },
      'serializer',
    ],
  ];

  test.each(invalid)('%s is refused, naming the option', (_label, options, option) => {
    expect(() => new ReplicatedStore(options as ReplicatedStoreOptions)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option }),
    );
  });

  test('an unknown connection option lists every accepted one, path included', () => {
    expect(() => new ReplicatedStore({ clients: [{ tls: true } as never] })).toThrow(
      '(url, host, port, socket, path, db, password)',
    );
  });

  test('ttl 0 says what to use instead', () => {
    expect(() => new ReplicatedStore({ clients: nowhere, ttl: 0 })).toThrow(/ttl: false/);
  });
});

describeWithBackend('redis', 'ReplicatedStore options on three servers', () => {
  const servers = useRedisGroup(3);
  const prefix = uniquePrefix('options');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });
  let count = 0;
  const sid = () => `s${++count}`;

  describe('stores', () => {
    const stores: ReplicatedStore[] = [];
    const clients: RedisClientType[] = [];
    afterAll(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await Promise.all(clients.splice(0).map((client) => client.destroy()));
    });
    const open = async (options: Partial<ReplicatedStoreOptions> = {}) => {
      const store = await readyStore({ clients: urlsOf(servers()), prefix, ...options });
      stores.push(store);
      return store;
    };
    const pttls = (key: string) =>
      Promise.all(servers().map(async (server) => Number(await server.command('PTTL', key))));

    test('the defaults', async () => {
      const store = await open({ prefix: undefined });
      expect({
        prefix: store.prefix,
        servers: store.clients.length,
        writeQuorum: store.writeQuorum,
        readQuorum: store.readQuorum,
        readPolicy: store.readPolicy,
        readRepair: store.readRepair,
        hedgeDelay: store.hedgeDelay,
        commandTimeout: store.commandTimeout,
        scanCount: store.scanCount,
        serversBehind: store.serversBehind,
      }).toEqual({
        prefix: 'session',
        servers: 3,
        writeQuorum: 2,
        readQuorum: 2,
        readPolicy: 'first',
        readRepair: true,
        hedgeDelay: 5,
        commandTimeout: 2000,
        scanCount: 100,
        serversBehind: 0,
      });
    });

    test.each([0, 2.5, 250])('hedgeDelay %p is accepted', async (hedgeDelay) => {
      const store = await open({ hedgeDelay });
      expect(store.hedgeDelay).toBe(hedgeDelay);
      const id = sid();
      await store.set(id, session({ n: 1 }));
      expect(await store.get(id)).toMatchObject({ n: 1 });
    });

    test.each([
      ['all', 3, 1],
      ['majority', 2, 2],
      [1, 1, 3],
      [3, 3, 1],
    ] as const)(
      'writeQuorum %p: writes need %p servers, newest reads and enumerations %p',
      async (option, write, read) => {
        const store = await open({ writeQuorum: option });
        expect([store.writeQuorum, store.readQuorum]).toEqual([write, read]);
      },
    );

    test("the default prefix is expredis's: the key is session<sid>, no separator", async () => {
      const store = await open({ prefix: undefined });
      const id = `${prefix.replace(/:/g, '')}${sid()}`;
      try {
        await store.set(id, session({ n: 1 }));
        await store.idle();
        for (const server of servers()) expect(await server.command('EXISTS', `session${id}`)).toBe(1);
      } finally {
        for (const server of servers()) await server.command('DEL', `session${id}`);
      }
    });

    test('ttl: false stores sessions without expiry (an expired cookie is still deleted)', async () => {
      const store = await open({ ttl: false });
      const id = sid();
      await store.set(id, session({ n: 1 }, 1000));
      await store.idle();
      expect(await pttls(prefix + id)).toEqual([-1, -1, -1]);
      await store.set(id, session({ n: 1 }, -1000));
      expect(await store.get(id)).toBeNull();
    });

    test('ttl as a number applies when the cookie sets no expiry; the cookie wins otherwise', async () => {
      const store = await open({ ttl: 100 });
      const browser = sid();
      await store.set(browser, {
        cookie: { originalMaxAge: null, expires: null, path: '/' },
      } as unknown as SessionData);
      const withCookie = sid();
      await store.set(withCookie, session({}, 30_000));
      await store.idle();
      for (const ms of await pttls(prefix + browser)) expect(Math.abs(ms - 100_000)).toBeLessThan(5000);
      for (const ms of await pttls(prefix + withCookie)) expect(Math.abs(ms - 30_000)).toBeLessThan(5000);
    });

    test('ttl as a function wins over the cookie', async () => {
      const store = await open({ ttl: () => 42 });
      const id = sid();
      await store.set(id, session({}, 3_600_000));
      await store.idle();
      for (const ms of await pttls(prefix + id)) expect(Math.abs(ms - 42_000)).toBeLessThan(5000);
    });

    test('a client the app made stays open after close(); the store closes only its own', async () => {
      const client: RedisClientType = createClient({ url: servers()[0]?.url });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      const [, one, two] = urlsOf(servers());
      const store = await readyStore({
        clients: [client, one as { url: string }, two as { url: string }],
        prefix,
      });
      const own = store.clients[1] as RedisClientType;
      await store.close();
      expect(client.isOpen).toBe(true);
      expect(own.isOpen).toBe(false);
    });

    describe('data written by expredis (a plain JSON string at prefix + sid)', () => {
      const legacy = (data: Record<string, unknown>) =>
        JSON.stringify({
          cookie: {
            originalMaxAge: 600_000,
            expires: new Date(Date.now() + 600_000),
            httpOnly: true,
            path: '/',
          },
          ...data,
        });
      const writeLegacy = async (id: string, value: string) => {
        for (const server of servers()) await server.command('SET', prefix + id, value, 'EX', '600');
      };

      test('is read, listed and counted', async () => {
        const store = await open({ prefix: `${prefix}legacy:` });
        const id = sid();
        for (const server of servers()) {
          await server.command('SET', `${prefix}legacy:${id}`, legacy({ user: 'ada' }), 'EX', '600');
        }
        expect(await store.get(id)).toMatchObject({ user: 'ada', cookie: { path: '/' } });
        expect(await store.ids()).toEqual([id]);
        expect(await store.length()).toBe(1);
        expect((await store.all()).map((s) => s.id)).toEqual([id]);
      });

      test('touch replaces its cookie and keeps its data', async () => {
        const store = await open();
        const id = sid();
        await writeLegacy(id, legacy({ user: 'ada' }));
        const refreshed = session({ user: 'ada' }, 3_600_000);
        await store.touch(id, refreshed);
        await store.idle();
        const loaded = (await store.get(id)) as unknown as { user: string; cookie: { expires: string } };
        expect(loaded.user).toBe('ada');
        expect(new Date(loaded.cookie.expires).getTime()).toBe(
          (refreshed.cookie.expires as unknown as Date).getTime(),
        );
        for (const ms of await pttls(prefix + id)) expect(ms).toBeGreaterThan(3_000_000);
      });

      test('a save replaces it with a versioned copy', async () => {
        const store = await open();
        const id = sid();
        await writeLegacy(id, legacy({ user: 'ada' }));
        await store.set(id, session({ user: 'grace' }));
        await store.idle();
        for (const server of servers()) {
          const value = text(await server.command('GET', prefix + id)) as string;
          expect(readHeader(value)).toMatchObject({ kind: 'session' });
          expect(readHeader(value).version).toBeGreaterThan(0);
        }
        expect(await store.get(id)).toMatchObject({ user: 'grace' });
      });
    });

    test('a custom serializer (async parse) is stored as text, and touch keeps the data', async () => {
      const serializer = {
        stringify: (s: SessionData) => Buffer.from(JSON.stringify(s)).toString('base64'),
        parse: async (t: string) => JSON.parse(Buffer.from(t, 'base64').toString()) as SessionData,
      };
      const store = await open({ serializer });
      const id = sid();
      await store.set(id, session({ user: 'ada' }, 10_000));
      await store.idle();
      const raw = text(await servers()[0]?.command('GET', prefix + id)) as string;
      expect(raw).toMatch(/^\{"v":\d+,"t":"/);
      const refreshed = session({ user: 'ignored' }, 3_600_000);
      await store.touch(id, refreshed);
      // This touch is two round trips per server and resolves at its quorum: wait for the last
      // server too, or a 'first' read may meet its old copy (seen once with two CPU hogs).
      await store.idle();
      const loaded = (await store.get(id)) as unknown as { user: string; cookie: { expires: string } };
      expect(loaded.user).toBe('ada');
      expect(new Date(loaded.cookie.expires).getTime()).toBe(
        (refreshed.cookie.expires as unknown as Date).getTime(),
      );
      // The version did not move: a touch is not a new version of the data.
      const after = text(await servers()[0]?.command('GET', prefix + id)) as string;
      expect(readHeader(after).version).toBe(readHeader(raw).version);
    });
  });
});
