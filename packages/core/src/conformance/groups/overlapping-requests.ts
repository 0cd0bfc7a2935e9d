import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { ErrorCode } from '../../errors';
import type { SessionStore } from '../../session-store';
import { field, kitSession, makeSession } from '../fixtures';
import type { ConformanceCase, ConformanceGroup } from '../types';

type Bag = Record<string, unknown>;
const bag = (req: Request): Bag => req.session as unknown as Bag;

const needsConditionalWrites: ConformanceCase['unsupported'] = (capabilities) =>
  capabilities.conditionalWrites === true ? undefined : 'store declares no conditionalWrites';

/** A request the test holds after express-session loaded its session, until it is released. */
export interface Hold {
  /** Resolves once the held request has its session. */
  readonly loaded: Promise<void>;
  /** Lets the held request go on. */
  release(): void;
}

/** Named holds: a route awaits `wait(name)`; the test awaits `hold(name).loaded`, then releases it. */
export function holds(): { hold(name: string): Hold; wait(name: string): Promise<void> } {
  const byName = new Map<string, { hold: Hold; arrived(): void; released: Promise<void> }>();
  const slot = (name: string) => {
    let entry = byName.get(name);
    if (!entry) {
      let arrived!: () => void;
      let release!: () => void;
      const loaded = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      entry = { hold: { loaded, release }, arrived, released };
      byName.set(name, entry);
    }
    return entry;
  };
  return {
    hold: (name) => slot(name).hold,
    wait(name) {
      const entry = slot(name);
      entry.arrived();
      return entry.released;
    },
  };
}

/** An express-session app whose routes change one key each, optionally held mid-request. */
async function startApp(store: SessionStore) {
  const points = holds();
  const app = express();
  app.use(kitSession(store));
  app.post('/login', (req, res) => {
    bag(req).user = 'alice';
    res.json({ id: req.sessionID });
  });
  app.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: bag(req).user ?? null });
  });
  // Sets `key` to `value`; with `?hold=name` it waits for the test between loading and saving.
  app.post('/set/:key/:value', async (req, res) => {
    const name = req.query.hold;
    if (typeof name === 'string') await points.wait(name);
    bag(req)[String(req.params.key)] = req.params.value;
    res.json({ id: req.sessionID });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  app.post('/regenerate', (req, res, next) => {
    req.session.regenerate((err) => (err ? next(err) : res.json({ id: req.sessionID })));
  });
  app.use((err: Error & { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message, code: err.code });
  });
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hold: points.hold,
    /** POST or GET with the session cookie. */
    send: (method: 'get' | 'post', path: string, cookie: string) =>
      request(url)[method](path).set('Cookie', cookie),
    async login(): Promise<{ id: string; cookie: string }> {
      const res = await request(url).post('/login').expect(200);
      const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
      return { id: res.body.id as string, cookie };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type App = Awaited<ReturnType<typeof startApp>>;

/** Sends `slowPath`, holds it once its session is loaded, runs `meanwhile` to the end, then lets it finish. */
async function overlap(app: App, cookie: string, slowPath: string, meanwhile: () => Promise<unknown>) {
  const slow = app
    .send('post', `${slowPath}?hold=slow`, cookie)
    .expect(200)
    .then(() => undefined);
  await app.hold('slow').loaded;
  await meanwhile();
  app.hold('slow').release();
  await slow;
}

/** Runs `body` against a started app and always stops it. */
async function withApp(
  store: SessionStore,
  body: (app: Awaited<ReturnType<typeof startApp>>) => Promise<void>,
) {
  const app = await startApp(store);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

/**
 * Overlapping requests on one session, through real express-session over HTTP: changes to
 * different keys are all kept, and a logout or regenerate is never undone by a request that
 * loaded the session before it.
 */
export const overlappingRequestsGroup: ConformanceGroup = {
  name: 'overlapping requests',
  cases: [
    {
      name: 'two overlapping requests changing different keys keep both changes',
      unsupported: needsConditionalWrites,
      async run({ store }) {
        const s = await store();
        await withApp(s, async (app) => {
          const { id, cookie } = await app.login();
          await overlap(app, cookie, '/set/a/1', () => app.send('post', '/set/b/2', cookie).expect(200));
          const stored = await s.get(id);
          expect(field(stored, 'a')).toBe('1');
          expect(field(stored, 'b')).toBe('2');
          expect(field(stored, 'user')).toBe('alice');
        });
      },
    },
    {
      name: '50 overlapping requests each adding its own key keep all 50',
      timeoutMs: 30_000,
      unsupported: needsConditionalWrites,
      async run({ store }) {
        const s = await store();
        await withApp(s, async (app) => {
          const { id, cookie } = await app.login();
          const keys = Array.from({ length: 50 }, (_, index) => `k${index}`);
          // Every request has loaded the session before any of them saves.
          // (supertest sends a request when it is first awaited or then-ed: `then` starts each one now.)
          const sent = keys.map((key) =>
            app.send('post', `/set/${key}/v?hold=${key}`, cookie).then((res) => res),
          );
          await Promise.all(keys.map((key) => app.hold(key).loaded));
          for (const key of keys) app.hold(key).release();
          const answers = await Promise.all(sent);
          expect(answers.map((res) => res.status)).toEqual(keys.map(() => 200));
          const stored = await s.get(id);
          expect(keys.filter((key) => field(stored, key) !== 'v')).toEqual([]);
          expect(field(stored, 'user')).toBe('alice');
        });
      },
    },
    {
      name: 'two overlapping requests changing the same key: the later save wins',
      unsupported: needsConditionalWrites,
      async run({ store }) {
        const s = await store();
        await withApp(s, async (app) => {
          const { id, cookie } = await app.login();
          await overlap(app, cookie, '/set/color/red', () =>
            app.send('post', '/set/color/blue', cookie).expect(200),
          );
          expect(field(await s.get(id), 'color')).toBe('red');
        });
      },
    },
    {
      name: 'a logout overlapping a slow modifying request stays logged out',
      unsupported: needsConditionalWrites,
      async run({ store }) {
        const s = await store();
        await withApp(s, async (app) => {
          const { id, cookie } = await app.login();
          await overlap(app, cookie, '/set/a/1', () => app.send('post', '/logout', cookie).expect(200));
          expect(await s.get(id)).toBeNull();
          const me = await app.send('get', '/me', cookie).expect(200);
          expect(me.body.user).toBeNull();
          expect(await s.get(id)).toBeNull();
        });
      },
    },
    {
      name: 'regenerate overlapping a slow request leaves no session under the old id',
      unsupported: needsConditionalWrites,
      async run({ store }) {
        const s = await store();
        await withApp(s, async (app) => {
          const { id, cookie } = await app.login();
          await overlap(app, cookie, '/set/a/1', async () => {
            const regenerated = await app.send('post', '/regenerate', cookie).expect(200);
            expect(regenerated.body.id).not.toBe(id);
          });
          expect(await s.get(id)).toBeNull();
        });
      },
    },
    {
      name: 'a set() of a session loaded with get() and destroyed since writes nothing and succeeds',
      unsupported: needsConditionalWrites,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ user: 'alice' }));
        const loaded = (await s.get(id)) as unknown as Bag;
        await s.destroy(id);
        loaded.user = 'mallory';
        await expect(s.set(id, loaded as never)).resolves.toBeUndefined();
        expect(await s.get(id)).toBeNull();
      },
    },
    {
      name: 'a set() of a plain object is a plain write, as before (it creates the session)',
      unsupported: needsConditionalWrites,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ user: 'alice' }));
        await s.destroy(id);
        await s.set(id, makeSession({ user: 'bob' }));
        expect(field(await s.get(id), 'user')).toBe('bob');
      },
    },
    {
      name: 'a set() of a loaded session merges with a change stored meanwhile',
      unsupported: needsConditionalWrites,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ a: 1, b: 1, gone: true }));
        const first = (await s.get(id)) as unknown as Bag;
        const second = (await s.get(id)) as unknown as Bag;
        second.b = 2;
        await s.set(id, second as never);
        first.a = 2;
        delete first.gone;
        await s.set(id, first as never);
        const stored = await s.get(id);
        expect([field(stored, 'a'), field(stored, 'b'), field(stored, 'gone')]).toEqual([2, 2, undefined]);
      },
    },
    {
      name: 'with lastWriteWins: true the later save replaces the stored session, as in other stores',
      unsupported: needsConditionalWrites,
      async run({ store, sid }) {
        const s = await store({ lastWriteWins: true });
        const id = sid();
        await s.set(id, makeSession({ a: 1, b: 1 }));
        const first = (await s.get(id)) as unknown as Bag;
        const second = (await s.get(id)) as unknown as Bag;
        second.b = 2;
        await s.set(id, second as never);
        first.a = 2;
        await s.set(id, first as never);
        const stored = await s.get(id);
        expect([field(stored, 'a'), field(stored, 'b')]).toEqual([2, 1]);
        await s.destroy(id);
        await s.set(id, first as never);
        expect(field(await s.get(id), 'a')).toBe(2);
      },
    },
    {
      name: 'an invalid lastWriteWins fails with ERR_INVALID_OPTION',
      async run({ store }) {
        await expect(store({ lastWriteWins: 'yes' as never })).rejects.toMatchObject({
          code: ErrorCode.InvalidOption,
          option: 'lastWriteWins',
        });
      },
    },
  ],
};
