import { describe, expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import express, { type Express } from 'express';
import session, { type Store } from 'express-session';
import request from 'supertest';
import { closeNodeRedis, openNodeRedis, readyStore } from './helpers';

const makeSession = (data: Record<string, unknown>, maxAgeMs = 60_000): SessionData =>
  ({
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' },
    ...data,
  }) as never;

/** The same app, on either store: switching stores must keep users logged in. */
function app(store: Store): Express {
  const server = express();
  server.use(
    session({
      store,
      secret: 'compat-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
    }),
  );
  server.post('/login', (req, res) => {
    (req.session as unknown as Record<string, unknown>).user = 'alice';
    res.json({ id: req.sessionID });
  });
  server.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: (req.session as unknown as Record<string, unknown>).user ?? null });
  });
  return server;
}

describeWithBackend('redis', 'RedisStore and connect-redis 10 share their data', () => {
  const redis = useRedis();
  const base = uniquePrefix('compat');
  cleanUpPrefix(redis, base);

  describe('clients', () => {
    const client = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    let counter = 0;
    /** Both stores on one client and one prefix, as after an upgrade. */
    const pair = async () => {
      const prefix = `${base}${counter++}:`;
      const theirs = new ConnectRedisStore({ client: client(), prefix });
      const ours = await readyStore({ client: client(), prefix });
      const raw = (sid: string) => redis().command('GET', prefix + sid);
      const pttl = async (sid: string) => Number(await redis().command('PTTL', prefix + sid));
      return { theirs, ours, raw, pttl, close: () => ours.close() };
    };

    test('a session written by connect-redis reads back the same from RedisStore, at the same key', async () => {
      const { theirs, ours, raw, pttl, close } = await pair();
      try {
        const written = makeSession({ user: { id: 7, roles: ['a'] } });
        await theirs.set('sid1', written);
        expect(await raw('sid1')).toBe(JSON.stringify(written));
        expect(await ours.get('sid1')).toEqual(JSON.parse(JSON.stringify(written)));
        expect(await pttl('sid1')).toBeGreaterThan(55_000);
      } finally {
        await close();
      }
    });

    test('a session written by RedisStore is byte-identical and reads back the same from connect-redis', async () => {
      const { theirs, ours, raw, close } = await pair();
      try {
        const written = makeSession({ cart: [1, 2, 3] });
        await ours.set('sid2', written);
        expect(await raw('sid2')).toBe(JSON.stringify(written));
        expect(await theirs.get('sid2')).toEqual(JSON.parse(JSON.stringify(written)));
      } finally {
        await close();
      }
    });

    test('TTLs agree: cookie expiry, and one day without one', async () => {
      const { theirs, ours, pttl, close } = await pair();
      try {
        await theirs.set('a', makeSession({}, 30_000));
        await ours.set('b', makeSession({}, 30_000));
        const browserSession = { cookie: { originalMaxAge: null, expires: null, path: '/' } } as never;
        await theirs.set('c', browserSession);
        await ours.set('d', browserSession);
        // connect-redis rounds up to whole seconds (EX); RedisStore keeps milliseconds (PX).
        for (const sid of ['a', 'b']) expect(Math.abs((await pttl(sid)) - 30_000)).toBeLessThan(2000);
        for (const sid of ['c', 'd']) expect(Math.abs((await pttl(sid)) - 86_400_000)).toBeLessThan(5000);
      } finally {
        await close();
      }
    });

    test('all, ids and length list the sessions of both, and clear removes both', async () => {
      const { theirs, ours, close } = await pair();
      try {
        await theirs.set('from-theirs', makeSession({ n: 1 }));
        await ours.set('from-ours', makeSession({ n: 2 }));
        expect((await ours.ids()).sort()).toEqual(['from-ours', 'from-theirs']);
        expect((await theirs.ids()).sort()).toEqual(['from-ours', 'from-theirs']);
        expect(await ours.length()).toBe(await theirs.length());
        const byId = (list: Array<{ id?: string }>) =>
          [...list].sort((x, y) => String(x.id).localeCompare(String(y.id)));
        expect(byId(await ours.all())).toEqual(byId(await theirs.all()));
        await ours.clear();
        expect(await theirs.length()).toBe(0);
      } finally {
        await close();
      }
    });

    test('touch works across: RedisStore refreshes the cookie of a connect-redis session, and the reverse', async () => {
      const { theirs, ours, pttl, close } = await pair();
      try {
        await theirs.set('t1', makeSession({ keep: 1 }, 10_000));
        const refreshed = makeSession({ keep: 1 }, 600_000);
        await ours.touch('t1', refreshed);
        const loaded = (await theirs.get('t1')) as SessionData & { keep: number };
        expect(loaded.keep).toBe(1);
        expect(new Date(String(loaded.cookie.expires)).getTime()).toBe(
          (refreshed.cookie.expires as Date).getTime(),
        );
        expect(await pttl('t1')).toBeGreaterThan(590_000);

        await ours.set('t2', makeSession({ keep: 2 }, 10_000));
        await theirs.touch('t2', makeSession({ keep: 2 }, 600_000));
        expect(await ours.get('t2')).toMatchObject({ keep: 2 });
        expect(await pttl('t2')).toBeGreaterThan(590_000);
      } finally {
        await close();
      }
    });

    test('an app that switches from connect-redis to RedisStore keeps its users logged in', async () => {
      const { theirs, ours, close } = await pair();
      try {
        const login = await request(app(theirs as unknown as Store))
          .post('/login')
          .expect(200);
        const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
        const me = await request(app(ours)).get('/me').set('Cookie', cookie).expect(200);
        expect(me.body).toEqual({ id: login.body.id, user: 'alice' });
        // And back again.
        const again = await request(app(theirs as unknown as Store))
          .get('/me')
          .set('Cookie', cookie)
          .expect(200);
        expect(again.body.user).toBe('alice');
      } finally {
        await close();
      }
    });
  });
});
