import { describe, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, useRedis } from '@session-stores/test-servers';
import cookieParser from 'cookie-parser';
import express from 'express';
import request from 'supertest';
import { ErrorCode } from '../src';
import {
  cookieHeader,
  cookieId,
  cookieSet,
  SECRET,
  setCookies,
  stepApp,
  testPrefix,
  useMiddlewares,
} from './helpers';

/** express-session, without its types (not a dependency of this package's type check). */
const session = require('express-session') as (options: object) => express.RequestHandler;

describeWithBackend('redis', 'the session cookie', () => {
  const redis = useRedis();
  const prefix = testPrefix('cookie');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  const middleware = useMiddlewares(prefix, () => ({ url: redis().url }));

  /** Stores something in a new session and returns its id. */
  const newSession = async (app = stepApp(middleware())) =>
    (
      await app.step(async (s) => {
        await s.set('a', 1);
        return s.id;
      })
    ).value;

  test('defaults: name sid, Path=/, HttpOnly, SameSite=Lax, no Secure, no Domain, a browser-session cookie', async () => {
    const { response } = await stepApp(middleware()).step((s) => s.set('a', 1));
    expect(setCookies(response)).toHaveLength(1);
    expect(setCookies(response)[0]).toMatch(
      /^sid=s%3A[A-Za-z0-9_-]{32}\.[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  test('a request that writes nothing gets no cookie, whether it reads or not', async () => {
    const app = stepApp(middleware());
    expect(setCookies((await app.step(() => undefined)).response)).toEqual([]);
    expect(setCookies((await app.step((s) => s.get('x'))).response)).toEqual([]);
    expect(setCookies((await app.step((s) => s.mget(['x', 'y']))).response)).toEqual([]);
  });

  test('the cookie options are applied: name, path, domain, secure, sameSite, httpOnly, maxAge (seconds)', async () => {
    const app = stepApp(
      middleware({
        cookie: {
          name: 'app.sid',
          path: '/app',
          domain: 'example.com',
          secure: true,
          sameSite: 'strict',
          httpOnly: false,
          maxAge: 3600,
        },
      }),
    );
    const { response } = await app.step((s) => s.set('a', 1));
    expect(cookieSet(response, 'app.sid')).toEqual({
      name: 'app.sid',
      value: expect.stringMatching(/^s:/),
      path: '/app',
      domain: 'example.com',
      secure: true,
      sameSite: 'strict',
      maxAge: 3600,
    });
  });

  test("alt-session's session.secure and session.domain still work", async () => {
    const { response } = await stepApp(middleware({ session: { secure: true, domain: 'example.org' } })).step(
      (s) => s.set('a', 1),
    );
    expect(cookieSet(response)).toMatchObject({ secure: true, domain: 'example.org' });
  });

  test('invalidate clears the cookie with the same name, path and domain it was set with', async () => {
    const options = { cookie: { name: 'app.sid', path: '/app', domain: 'example.com' } } as const;
    const app = stepApp(middleware(options));
    const { value: id } = await app.step(async (s) => {
      await s.set('user', 'ann');
      return s.id;
    });
    const { response } = await app.step((s) => s.invalidate(), undefined, {
      Cookie: cookieHeader(id, SECRET, 'app.sid'),
    });
    expect(setCookies(response)).toHaveLength(1);
    expect(setCookies(response)[0]).toBe(
      'app.sid=; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    );
    const after = await app.step(async (s) => ({ user: await s.get('user'), isNew: s.isNew }), undefined, {
      Cookie: cookieHeader(id, SECRET, 'app.sid'),
    });
    expect(after.value).toEqual({ user: null, isNew: true });
  });

  test('invalidate then set in the same request sends the new session cookie instead of clearing', async () => {
    const app = stepApp(middleware());
    const id = await newSession(app);
    const { value, response } = await app.step(
      async (s) => {
        await s.invalidate();
        await s.set('fresh', true);
        return s.id;
      },
      undefined,
      { Cookie: cookieHeader(id) },
    );
    expect(setCookies(response)).toHaveLength(1);
    expect(cookieId(response)).toBe(value);
    expect(value).not.toBe(id);
  });

  test('with cookie.maxAge the cookie is re-sent when the session is used, so it slides', async () => {
    const app = stepApp(middleware({ cookie: { maxAge: 600 } }));
    const id = await newSession(app);
    const used = await app.step((s) => s.get('a'), undefined, { Cookie: cookieHeader(id) });
    expect(cookieSet(used.response)).toMatchObject({ maxAge: 600 });
    expect(cookieId(used.response)).toBe(id);
    const unused = await app.step(() => undefined, undefined, { Cookie: cookieHeader(id) });
    expect(setCookies(unused.response)).toEqual([]);
  });

  test('secret rotation: cookies signed with any listed secret are accepted; new ones use the first', async () => {
    const id = await newSession(stepApp(middleware({ secret: 'old secret' })));
    const rotated = stepApp(middleware({ secret: ['new secret', 'old secret'] }));
    const read = await rotated.step(async (s) => ({ id: s.id, a: await s.get('a') }), undefined, {
      Cookie: cookieHeader(id, 'old secret'),
    });
    expect(read.value).toEqual({ id, a: 1 });
    const regenerated = await rotated.step((s) => s.regenerate(), undefined, {
      Cookie: cookieHeader(id, 'old secret'),
    });
    expect(cookieId(regenerated.response, 'sid', 'new secret')).toBe(regenerated.value);
  });

  test('works after cookie-parser with the same secret, and after cookie-parser with another one', async () => {
    for (const parserSecret of [SECRET, 'unrelated secret', undefined]) {
      const app = stepApp(middleware(), { before: [cookieParser(parserSecret)] });
      const agent = request.agent(app.app);
      const { value: id } = await app.step(async (s) => {
        await s.set('a', 'parsed');
        return s.id;
      }, agent);
      const again = await app.step(async (s) => ({ id: s.id, a: await s.get('a') }), agent);
      expect(again.value).toEqual({ id, a: 'parsed' });
    }
  });

  test("cookie-parser's verified req.signedCookies is accepted when its secret is ours", async () => {
    const id = await newSession();
    const fromParser =
      (secret: string): express.RequestHandler =>
      (req, _res, next) => {
        Object.assign(req, { secret, signedCookies: { sid: id } });
        next();
      };
    const trusted = stepApp(middleware(), { before: [fromParser(SECRET)] });
    expect((await trusted.step((s) => s.get('a'))).value).toBe(1);
    const untrusted = stepApp(middleware(), { before: [fromParser('not ours')] });
    expect((await untrusted.step(async (s) => ({ a: await s.get('a'), isNew: s.isNew }))).value).toEqual({
      a: null,
      isNew: true,
    });
  });

  test('without cookie-parser a cookie set by the app itself survives next to ours', async () => {
    const { response } = await stepApp(middleware()).step(async (s, _req, res) => {
      res.setHeader('Set-Cookie', 'theme=dark; Path=/');
      await s.set('a', 1);
    });
    expect(setCookies(response).map((c) => c.split('=')[0])).toEqual(['theme', 'sid']);
  });

  test('writeHead(status, headers) with its own Set-Cookie keeps both cookies', async () => {
    const { response } = await stepApp(middleware()).step(async (s, _req, res) => {
      await s.set('a', 1);
      res.writeHead(201, { 'Set-Cookie': 'theme=dark', 'X-Test': 'yes' });
      res.end();
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-test']).toBe('yes');
    expect(setCookies(response).map((c) => c.split('=')[0])).toEqual(['theme', 'sid']);
  });

  test('a set() not awaited before the response still sets the cookie', async () => {
    const app = stepApp(middleware());
    let pending: Promise<void> | undefined;
    const { value: id, response } = await app.step((s, _req, res) => {
      pending = s.set('late', 'yes');
      res.end('sent');
      return s.id;
    });
    await pending;
    expect(cookieId(response)).toBe(id);
    expect((await app.step((s) => s.get('late'), undefined, { Cookie: cookieHeader(id) })).value).toBe('yes');
  });

  describe('next to express-session', () => {
    test('mounting after express-session fails the request with ERR_INVALID_ARGUMENT instead of hiding it', async () => {
      const app = express();
      app.use(session({ secret: SECRET, resave: false, saveUninitialized: false }));
      app.use(middleware());
      app.get('/', (_req, res) => {
        res.send('unreachable');
      });
      app.use(
        (
          err: { code?: string },
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => {
          res.status(500).json({ code: err.code });
        },
      );
      const response = await request(app).get('/');
      expect(response.body).toEqual({ code: ErrorCode.InvalidArgument });
    });
  });
});
