import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { SessionStore } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  testBuiltStoreEntryPoints,
  uniquePrefix,
  useBuiltPackage,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import redisStoreFactory, { RedisStore } from '../src';
import { closeNodeRedis, openNodeRedis } from './helpers';

const packageDir = resolve(__dirname, '..');

describe('the classic factory (source)', () => {
  test('factory(session) returns a Store class of that express-session module; factory() returns RedisStore', () => {
    const Bound = redisStoreFactory(session);
    expect(Bound.prototype).toBeInstanceOf(session.Store);
    expect(Bound.prototype).toBeInstanceOf(SessionStore);
    expect(Bound.name).toBe('RedisStore');
    expect(redisStoreFactory()).toBe(RedisStore);
    expect(redisStoreFactory(session)).toBe(Bound);
  });

  test('factory(something else) names the argument', () => {
    expect(() => redisStoreFactory({} as never)).toThrow(expect.objectContaining({ argument: 'session' }));
  });
});

describeWithBackend('redis', 'RedisStore as the app uses it', () => {
  const redis = useRedis();
  const prefix = uniquePrefix('factory');
  cleanUpPrefix(redis, prefix);

  describe('clients', () => {
    const client = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);

    test('require(pkg)(session) and new RedisStore(...) both serve an express-session app', async () => {
      const Classic = redisStoreFactory(session);
      for (const store of [
        new Classic({ client: client(), prefix: `${prefix}classic:` }),
        new RedisStore({ client: client(), prefix: `${prefix}named:` }),
      ]) {
        const app = express();
        app.use(session({ store, secret: 'factory-secret', resave: false, saveUninitialized: false }));
        app.get('/count', (req, res) => {
          const bag = req.session as unknown as { n?: number };
          bag.n = (bag.n ?? 0) + 1;
          res.json({ n: bag.n });
        });
        const agent = request.agent(app);
        expect((await agent.get('/count')).body).toEqual({ n: 1 });
        expect((await agent.get('/count')).body).toEqual({ n: 2 });
        await store.close();
      }
    });
  });

  describe('the built package', () => {
    // Built with the package's own tsup config, loaded as an app would load it.
    const built = useBuiltPackage(packageDir);
    const node = built.runNode;

    testBuiltStoreEntryPoints(
      built,
      'RedisStore',
      // The store creates its own client from the url.
      (label) => `{ url: ${JSON.stringify(redis().url)}, prefix: ${JSON.stringify(`${prefix}${label}:`)} }`,
    );

    test('unref: true lets the process exit while the store and its connection stay open', async () => {
      const cjs = join(built.outDir(), 'index.js');
      const result = await node(
        ['-e'],
        `
        const { RedisStore } = require(${JSON.stringify(cjs)});
        const store = new RedisStore({ url: ${JSON.stringify(redis().url)}, prefix: ${JSON.stringify(`${prefix}unref:`)}, unref: true });
        // Keeps node alive until the write is done; after that only the (unref'd) connection is left.
        const busy = setTimeout(() => undefined, 15000);
        store.ready().then(() => store.set('s', { cookie: { maxAge: 60000 } })).then(() => {
          clearTimeout(busy);
          console.log(JSON.stringify({ written: true, connected: store.connected }));
        });
        // No close(): without unref the open connection would keep node running until the timeout.
        `,
      );
      expect(result).toEqual({ written: true, connected: true });
    }, 30_000);
  });
});
