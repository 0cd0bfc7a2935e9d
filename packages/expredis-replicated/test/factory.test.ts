import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { SessionStore } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  testBuiltStoreEntryPoints,
  uniquePrefix,
  useBuiltPackage,
  useRedisGroup,
} from '@session-stores/test-servers';
import express from 'express';
import request from 'supertest';
import replicatedStoreFactory, { ReplicatedStore } from '../src';
import { expressSession, type SessionRequest, urlsOf } from './helpers';

const packageDir = resolve(__dirname, '..');

describe('the classic factory (source)', () => {
  test('factory(session) returns a Store class of that express-session module; factory() returns ReplicatedStore', () => {
    const Bound = replicatedStoreFactory(expressSession);
    expect(Bound.prototype).toBeInstanceOf(expressSession.Store);
    expect(Bound.prototype).toBeInstanceOf(SessionStore);
    expect(Bound.name).toBe('ReplicatedStore');
    expect(replicatedStoreFactory()).toBe(ReplicatedStore);
    expect(replicatedStoreFactory(expressSession)).toBe(Bound);
  });

  test('factory(something else) names the argument', () => {
    expect(() => replicatedStoreFactory({} as never)).toThrow(
      expect.objectContaining({ argument: 'session' }),
    );
  });
});

describeWithBackend('redis', 'ReplicatedStore as the app uses it', () => {
  const servers = useRedisGroup(3);
  const prefix = uniquePrefix('factory');
  cleanUpPrefix(servers, prefix, { tolerateDown: true });

  test('require(pkg)(session) with expredis options serves an express-session app', async () => {
    const Classic = replicatedStoreFactory(expressSession);
    const store = new Classic({ clients: urlsOf(servers()), prefix: `${prefix}classic:` });
    try {
      const app = express();
      app.use(expressSession({ store, secret: 'factory-secret', resave: false, saveUninitialized: false }));
      app.get('/count', (req, res) => {
        const bag = (req as unknown as SessionRequest).session ?? {};
        bag.n = (bag.n ?? 0) + 1;
        res.json({ n: bag.n });
      });
      await store.ready();
      const agent = request.agent(app);
      expect((await agent.get('/count')).body).toEqual({ n: 1 });
      expect((await agent.get('/count')).body).toEqual({ n: 2 });
    } finally {
      await store.close();
    }
  });

  describe('the built package', () => {
    // Built with the package's own tsup config, loaded as an app would load it.
    const built = useBuiltPackage(packageDir);
    const node = built.runNode;
    const clients = () => JSON.stringify(urlsOf(servers()));

    testBuiltStoreEntryPoints(
      built,
      'ReplicatedStore',
      (label) => `{ clients: ${clients()}, prefix: ${JSON.stringify(`${prefix}${label}:`)} }`,
    );

    test('outside jest, a refused server is reported as ERR_BACKEND_UNAVAILABLE with its client', async () => {
      const cjs = join(built.outDir(), 'index.js');
      const result = await node(
        ['-e'],
        `
        const { ReplicatedStore } = require(${JSON.stringify(cjs)});
        const net = require('node:net');
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const port = probe.address().port;
          probe.close(() => {
            const clients = [...${clients()}.slice(0, 2), { host: '127.0.0.1', port }];
            const store = new ReplicatedStore({ clients, prefix: ${JSON.stringify(`${prefix}refused:`)} });
            store.once('error', async (err) => {
              const summary = { code: err.code, replica: err.replica, client: err.client === store.clients[2] };
              await store.close();
              console.log(JSON.stringify(summary));
            });
          });
        });
        `,
      );
      expect(result).toEqual({ code: 'ERR_BACKEND_UNAVAILABLE', replica: 2, client: true });
    }, 30_000);

    test('unref: true lets the process exit while the store and its connections stay open', async () => {
      const cjs = join(built.outDir(), 'index.js');
      const result = await node(
        ['-e'],
        `
        const { ReplicatedStore } = require(${JSON.stringify(cjs)});
        const store = new ReplicatedStore({ clients: ${clients()}, prefix: ${JSON.stringify(`${prefix}unref:`)}, unref: true });
        // Keeps node alive until the write is done; after that only the (unref'd) connections are left.
        const busy = setTimeout(() => undefined, 15000);
        store.ready().then(() => store.set('s', { cookie: { maxAge: 60000 } })).then(() => store.idle()).then(() => {
          clearTimeout(busy);
          console.log(JSON.stringify({ written: true, connected: store.connected }));
        });
        // No close(): without unref the open connections would keep node running until the timeout.
        `,
      );
      expect(result).toEqual({ written: true, connected: true });
    }, 30_000);
  });
});
