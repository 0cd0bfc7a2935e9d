import { describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { altSession, createTestSession } from '../src';
import { cookieHeader, cookieId, cookieSet, SECRET, stepApp } from './helpers';

describe('createTestSession()', () => {
  test('each test session has its own memory (nothing module-global, unlike alt-session.mock)', async () => {
    const one = createTestSession();
    const two = createTestSession();
    await one.set('who', 'one');
    expect(await two.get('who')).toBeNull();
    expect(one.id).not.toBe(two.id);
  });

  test('starts from given data and id; snapshot shows what is stored', async () => {
    const session = createTestSession({ id: 'fixed-id', data: { user: 'ann', since: new Date(0) } });
    expect(session.id).toBe('fixed-id');
    expect(session.isNew).toBe(false);
    expect(await session.mget(['user', 'since'])).toEqual({ user: 'ann', since: new Date(0) });
    await session.set('cart', [1]);
    expect(session.snapshot()).toEqual({ user: 'ann', since: new Date(0), cart: [1] });
    await session.invalidate();
    expect(session.snapshot()).toEqual({});
  });

  test('without data it is a new session, under the given id', async () => {
    const session = createTestSession({ id: 'new-one' });
    expect(session.isNew).toBe(true);
    await session.set('a', 1);
    expect(session.id).toBe('new-one');
    expect(session.snapshot()).toEqual({ a: 1 });
  });
});

describe('altSession.mock()', () => {
  test('two mock apps never share sessions, even with the same secret', async () => {
    const a = stepApp(altSession.mock({ secret: SECRET }));
    const b = stepApp(altSession.mock({ secret: SECRET }));
    const { value: id } = await a.step(async (s) => {
      await s.set('app', 'a');
      return s.id;
    });
    const inB = await b.step(async (s) => ({ app: await s.get('app'), id: s.id }), undefined, {
      Cookie: cookieHeader(id),
    });
    expect(inB.value.app).toBeNull();
    expect(inB.value.id).not.toBe(id);
  });

  test('cookies, signatures and invalidate behave as in the real middleware', async () => {
    const mock = altSession.mock({
      secret: SECRET,
      cookie: { name: 'm.sid', path: '/', domain: 'example.com' },
    });
    const app = stepApp(mock);
    const { value: id, response } = await app.step(async (s) => {
      await s.set('a', 1);
      return s.id;
    });
    expect(cookieId(response, 'm.sid')).toBe(id);
    expect(mock.inspect(id)).toEqual({ a: 1 });
    expect(mock.size()).toBe(1);
    const tampered = await app.step((s) => s.get('a'), undefined, { Cookie: 'm.sid=s%3Awrong.sig' });
    expect(tampered.value).toBeNull();
    const cleared = await app.step((s) => s.invalidate(), undefined, {
      Cookie: cookieHeader(id, SECRET, 'm.sid'),
    });
    expect(cookieSet(cleared.response, 'm.sid')).toMatchObject({
      value: '',
      domain: 'example.com',
      path: '/',
    });
    expect(mock.inspect(id)).toBeUndefined();
    expect(mock.size()).toBe(0);
  });

  test('without a secret it signs with a random one of its own', async () => {
    const app = stepApp(altSession.mock());
    const agent = request.agent(app.app);
    const { value: id } = await app.step(async (s) => {
      await s.set('a', 1);
      return s.id;
    }, agent);
    expect((await app.step((s) => ({ id: s.id, a: 0 }), agent)).value.id).toBe(id);
    // A cookie signed with a guessable secret is not accepted.
    const forged = await app.step((s) => s.isNew, undefined, { Cookie: cookieHeader(id, 'secret') });
    expect(forged.value).toBe(true);
  });

  test("accepts the app's real options unchanged (the connection options are ignored)", async () => {
    const mock = altSession.mock({
      redis: { host: 'nowhere', port: 1 },
      secret: SECRET,
      session: { tti: 10 },
    });
    const { value } = await stepApp(mock).step(async (s) => {
      await s.set('x', 'y');
      return s.get('x');
    });
    expect(value).toBe('y');
  });
});
