import { describe, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { type AltSessionHandler, type AsyncSession, altSession, mock, type UserSessionsApi } from '../src';
import { raw, SECRET, testPrefix } from './helpers';

type Middleware = AltSessionHandler & UserSessionsApi;
const session = (req: Request) => (req as unknown as { session: AsyncSession }).session;

/** Log in by name, read back, list devices, log out everywhere else, log out keeping the session. */
function devicesApp(middleware: Middleware): Express {
  const app = express();
  app.use(middleware);
  app.post('/login/:name', async (req, res) => {
    await session(req).set('user', req.params.name);
    res.json({ id: session(req).id });
  });
  app.get('/me', async (req, res) => {
    res.json({ user: (await session(req).get('user')) ?? null });
  });
  app.get('/devices', async (req, res) => {
    const user = String(await session(req).get('user'));
    res.json((await middleware.sessionsOf(user)).map((entry) => entry.id).sort());
  });
  app.post('/logout-everywhere-else', async (req, res) => {
    const user = String(await session(req).get('user'));
    res.json({ ended: await middleware.destroyAllOf(user, { except: session(req).id }) });
  });
  app.post('/logout-keep', async (req, res) => {
    await session(req).remove('user');
    res.json({ ok: true });
  });
  app.post('/set-bad/:kind', async (req, res, next) => {
    try {
      await session(req).set('user', req.params.kind === 'number' ? 42 : '');
      res.json({ ok: true });
    } catch (err) {
      next(err);
    }
  });
  app.use((err: Error & { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ code: err.code, message: err.message });
  });
  return app;
}

/** The behaviours every backend of the middleware must show. */
function userSessionCases(make: (options?: { maxSessionsPerUser?: number }) => Middleware) {
  test('log in on three devices, log out everywhere else from one: the other two are logged out', async () => {
    const app = devicesApp(make());
    const [phone, laptop, tablet] = [request.agent(app), request.agent(app), request.agent(app)];
    const ids: string[] = [];
    for (const device of [phone, laptop, tablet])
      ids.push((await device.post('/login/erin').expect(200)).body.id);
    const other = request.agent(app);
    await other.post('/login/frank').expect(200);
    expect((await laptop.get('/devices').expect(200)).body).toEqual([...ids].sort());
    expect((await phone.post('/logout-everywhere-else').expect(200)).body).toEqual({ ended: 2 });
    expect((await phone.get('/me').expect(200)).body.user).toBe('erin');
    expect((await laptop.get('/me').expect(200)).body.user).toBeNull();
    expect((await tablet.get('/me').expect(200)).body.user).toBeNull();
    expect((await other.get('/me').expect(200)).body.user).toBe('frank');
    expect((await phone.get('/devices').expect(200)).body).toEqual([ids[0]]);
  });

  test('a logout that keeps the session, or a login as someone else, moves the session out of the index', async () => {
    const middleware = make();
    const app = devicesApp(middleware);
    const first = request.agent(app);
    const second = request.agent(app);
    await first.post('/login/gus').expect(200);
    await second.post('/login/gus').expect(200);
    await first.post('/logout-keep').expect(200);
    await second.post('/login/hal').expect(200);
    expect(await middleware.sessionsOf('gus')).toEqual([]);
    expect((await middleware.sessionsOf('hal')).length).toBe(1);
    expect(await middleware.destroyAllOf('gus')).toBe(0);
  });

  test('maxSessionsPerUser ends the oldest logins beyond the cap', async () => {
    const middleware = make({ maxSessionsPerUser: 2 });
    const app = devicesApp(middleware);
    const agents = [request.agent(app), request.agent(app), request.agent(app)];
    const ids: string[] = [];
    for (const agent of agents) ids.push((await agent.post('/login/ida').expect(200)).body.id);
    expect((await agents[0]?.get('/me').expect(200))?.body.user).toBeNull();
    expect((await middleware.sessionsOf('ida')).map((entry) => entry.id).sort()).toEqual(
      [ids[1], ids[2]].sort(),
    );
  });

  test('a user key value that is not a user name fails that write with ERR_USER_OF and stores nothing', async () => {
    const app = devicesApp(make());
    const agent = request.agent(app);
    await agent.post('/login/jo').expect(200);
    for (const kind of ['number', 'empty']) {
      const failed = await agent.post(`/set-bad/${kind}`).expect(500);
      expect(failed.body.code).toBe('ERR_USER_OF');
      expect(failed.body.message).toMatch(/userKey/);
    }
    expect((await agent.get('/me').expect(200)).body.user).toBe('jo');
  });

  test('user names with glob characters, colons or braces never match another user', async () => {
    const middleware = make();
    const app = devicesApp(middleware);
    const names = ['a', 'a*', '*', 'a:b', '{a}', '?'];
    const ids: string[] = [];
    for (const name of names)
      ids.push(
        (
          await request(app)
            .post(`/login/${encodeURIComponent(name)}`)
            .expect(200)
        ).body.id,
      );
    for (const [index, name] of names.entries()) {
      expect((await middleware.sessionsOf(name)).map((entry) => entry.id)).toEqual([ids[index]]);
    }
    expect(await middleware.destroyAllOf('*')).toBe(1);
    expect((await middleware.sessionsOf('a*')).length).toBe(1);
  });

  test('bad arguments reject with ERR_INVALID_ARGUMENT, and callbacks work', async () => {
    const middleware = make();
    await expect(middleware.sessionsOf('' as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(middleware.destroyAllOf('x', { except: 5 } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const count = await new Promise((resolve, reject) =>
      middleware.destroyAllOf('nobody', (err, ended) => (err ? reject(err) : resolve(ended))),
    );
    expect(count).toBe(0);
  });
}

describe('user sessions in the test double', () => {
  userSessionCases((options = {}) => mock({ userKey: 'user', ...options }));

  test('without userKey, sessionsOf fails naming the option; maxSessionsPerUser needs it', async () => {
    await expect(mock().sessionsOf('ann')).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      option: 'userKey',
    });
    expect(() => mock({ maxSessionsPerUser: 2 })).toThrow(/maxSessionsPerUser/);
    expect(() => mock({ userKey: '@user' })).toThrow(/userKey/);
  });
});

describeWithBackend('redis', 'user sessions on Redis', () => {
  const redis = useRedis();
  const prefix = testPrefix('users');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });
  const opened: Middleware[] = [];
  useStarted(
    'the middlewares',
    () => undefined,
    async () => {
      await Promise.all(opened.splice(0).map((m) => (m as unknown as { close(): Promise<void> }).close()));
    },
  );
  let count = 0;
  const make = (options: { maxSessionsPerUser?: number } = {}): Middleware => {
    count += 1;
    const middleware = altSession({
      url: redis().url,
      secret: SECRET,
      userKey: 'user',
      ...options,
      session: { prefix: `${prefix}${count}` },
    });
    opened.push(middleware);
    return middleware;
  };

  userSessionCases(make);

  test("a user's sorted set loses the ids of ended sessions at the next login, without any listing", async () => {
    const middleware = make();
    const app = devicesApp(middleware);
    const ids: string[] = [];
    for (let login = 0; login < 5; login += 1) {
      const id = (await request(app).post('/login/kim').expect(200)).body.id as string;
      ids.push(id);
      // Ended behind the index's back, as an expiry would.
      await raw(redis())('DEL', `${prefix}${count}:${id}`);
    }
    const last = (await request(app).post('/login/kim').expect(200)).body.id as string;
    const members = (await raw(redis())('ZRANGE', `${prefix}${count}:#user:kim`, '0', '-1')) as string[];
    expect(members).toEqual([last]);
  });
});
