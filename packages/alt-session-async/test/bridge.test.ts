import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from '@jest/globals';
import { describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import express from 'express';
import request from 'supertest';
import { type AltSessionHandler, altSession, bridge, ErrorCode } from '../src';
import {
  callsBetween,
  commandCalls,
  cookieHeader,
  cookieId,
  raw,
  SECRET,
  stepApp,
  testPrefix,
} from './helpers';

/** What a route written for express-session sees through the bridge. */
type Legacy = { user?: string; cart?: number[]; since?: Date };
const legacy = (req: IncomingMessage) => (req as unknown as { session: Legacy }).session;
const plain = (req: IncomingMessage) => (req as unknown as { sessionData: Legacy }).sessionData;

describeWithBackend('redis', 'the bridge for synchronous code', () => {
  // Our own server: the tests count commands.
  const redis = useRedis({ ownProcess: true });
  const prefix = testPrefix('bridge');
  // Nested, so the middleware closes before the server stops (afterAll hooks run in declaration order).
  describe('on Redis', () => {
    const middleware = useStarted(
      'the resource',
      () => altSession({ url: redis().url, secret: SECRET, session: { prefix } }),
      (m) => m.close(),
    );
    const app = () => stepApp(middleware(), { after: [bridge({ keys: ['user', 'cart', 'since'] })] });

    test('loads the keys before the route; the route reads and edits them synchronously; changes are stored', async () => {
      const target = app();
      const first = await target.step((s, req) => {
        expect(plain(req)).toEqual({});
        legacy(req).user = 'ann';
        legacy(req).cart = [1];
        legacy(req).since = new Date(1000);
        return s.id;
      });
      expect(cookieId(first.response)).toBe(first.value);
      const id = first.value;
      const second = await target.step(
        (_s, req) => {
          const seen = structuredClone(plain(req));
          legacy(req).cart?.push(2); // an in-place edit counts as a change
          return seen;
        },
        undefined,
        { Cookie: cookieHeader(id) },
      );
      expect(second.value).toEqual({ user: 'ann', cart: [1], since: new Date(1000) });
      expect(await raw(redis())('HMGET', `${prefix}:${id}`, 'user', 'cart')).toEqual(['"ann"', '[1,2]']);
    });

    test('one round trip to load; none to save when nothing changed', async () => {
      const target = app();
      const { value: id } = await target.step((s, req) => {
        legacy(req).user = 'bob';
        return s.id;
      });
      await redis().command('CONFIG', 'RESETSTAT');
      const before = await commandCalls(redis());
      await target.step((_s, req) => legacy(req).user, undefined, { Cookie: cookieHeader(id) });
      expect(callsBetween(before, await commandCalls(redis()))).toEqual({
        evalsha: 1,
        exists: 1,
        hmget: 1,
        pexpire: 1,
      });
    });

    test('saves only the keys that changed: a key another request changed meanwhile is not overwritten', async () => {
      const target = app();
      const { value: id } = await target.step((s, req) => {
        Object.assign(legacy(req), { user: 'ann', cart: [1] });
        return s.id;
      });
      await target.step(
        async (_s, req) => {
          // Another request (here: a raw write) changes `user` while this one edits `cart`.
          await raw(redis())('HSET', `${prefix}:${id}`, 'user', '"changed elsewhere"');
          legacy(req).cart = [1, 2, 3];
        },
        undefined,
        { Cookie: cookieHeader(id) },
      );
      expect(await raw(redis())('HMGET', `${prefix}:${id}`, 'user', 'cart')).toEqual([
        '"changed elsewhere"',
        '[1,2,3]',
      ]);
    });

    test('a key set to undefined or deleted is removed', async () => {
      const target = app();
      const { value: id } = await target.step((s, req) => {
        Object.assign(legacy(req), { user: 'ann', cart: [1] });
        return s.id;
      });
      await target.step(
        (_s, req) => {
          legacy(req).user = undefined;
          delete plain(req).cart;
        },
        undefined,
        { Cookie: cookieHeader(id) },
      );
      expect(await raw(redis())('HMGET', `${prefix}:${id}`, 'user', 'cart')).toEqual([null, null]);
    });

    test('the async API stays available next to the bridged keys', async () => {
      const { value } = await app().step(async (s, req) => {
        legacy(req).user = 'ann';
        await s.set('other', 'async');
        return [await s.get('other'), legacy(req).user];
      });
      expect(value).toEqual(['async', 'ann']);
    });
  });
});

describe('the bridge on the mock middleware', () => {
  test('the same load/save cycle works without Redis (keys may use any name but the API members)', async () => {
    const mock = altSession.mock({ secret: SECRET });
    const target = stepApp(mock, { after: [altSession.bridge({ keys: ['user', 'backend', 'origin'] })] });
    const agent = request.agent(target.app);
    const { value: id } = await target.step(async (s, req) => {
      Object.assign(legacy(req), { user: 'mocked', backend: 'b', origin: 'o' });
      // The session's machinery is private: only the bridged keys are own properties.
      expect(Object.keys(s)).toEqual(['user', 'backend', 'origin']);
      return s.id;
    }, agent);
    expect(mock.inspect(id)).toEqual({ user: 'mocked', backend: 'b', origin: 'o' });
    expect((await target.step((_s, req) => legacy(req).user, agent)).value).toBe('mocked');
  });
});

describe('a request that failed', () => {
  // express-session saves whatever the session holds when the response ends, error or not;
  // a route that threw half-way must not leave half its changes behind.
  function cartApp() {
    const mock = altSession.mock({ secret: SECRET });
    const app = express();
    app.use(mock);
    app.use(bridge({ keys: ['cart', 'attempts'] }) as AltSessionHandler);
    app.post('/add', (req, res) => {
      legacy(req).cart = [...(legacy(req).cart ?? []), 1];
      res.end();
    });
    app.post('/add-then-throw', async (req) => {
      legacy(req).cart = [...(legacy(req).cart ?? []), 2];
      throw new Error('payment failed');
    });
    app.post('/login-refused', (req, res) => {
      const session = (req as unknown as { session: { attempts?: number } }).session;
      session.attempts = (session.attempts ?? 0) + 1;
      res.status(401).end();
    });
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).end();
    });
    return { mock, agent: request.agent(app) };
  }

  test('a route that threw stores none of the changes it made before throwing', async () => {
    const { mock, agent } = cartApp();
    const first = await agent.post('/add');
    const id = cookieId(first) as string;
    expect((await agent.post('/add-then-throw')).status).toBe(500);
    expect(mock.inspect(id)).toEqual({ cart: [1] });
  });

  test('a 4xx answer is not a failure: its changes are stored (a refused login counts its attempts)', async () => {
    const { mock, agent } = cartApp();
    const first = await agent.post('/login-refused');
    expect(first.status).toBe(401);
    await agent.post('/login-refused');
    expect(mock.inspect(cookieId(first) as string)).toEqual({ attempts: 2 });
  });
});

describe('bridge options', () => {
  test('keys are checked: a non-empty array of valid keys that do not hide a req.session member', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'keys'],
      [[], 'keys'],
      [['ok', ''], 'keys[1]'],
      [['@meta'], 'keys[0]'],
      [['get'], 'keys[0]'],
      [['id'], 'keys[0]'],
      [['then'], 'keys[0]'],
      [['__proto__'], 'keys[0]'],
    ];
    for (const [keys, option] of cases) {
      expect(() => bridge({ keys } as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOption, option }),
      );
    }
    expect(() => bridge({ keys: ['a'], extra: 1 } as never)).toThrow(
      expect.objectContaining({ option: 'extra' }),
    );
  });

  test('mounted without the session middleware, it fails the request with ERR_INVALID_ARGUMENT', async () => {
    const app = express();
    app.use(bridge({ keys: ['user'] }) as AltSessionHandler);
    app.use(
      (err: { code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ code: err.code });
      },
    );
    expect((await request(app).get('/')).body).toEqual({ code: ErrorCode.InvalidArgument });
  });
});
