import type { Express, NextFunction, Request, Response } from 'express';
import type { SessionOptions } from 'express-session';
import type supertest from 'supertest';
import type { SessionStore } from '../../session-store';
import { expect } from '../expect';
import {
  allOf,
  eventLoopTurns,
  field,
  kitSession,
  needsCore,
  needsMethods,
  needsModules,
  needsPlain,
  sleep,
  storedExpiry,
} from '../fixtures';
import { httpModule } from '../http-modules';
import type { ConformanceGroup } from '../types';

type Bag = Record<string, unknown>;
const bag = (req: Request): Bag => req.session as unknown as Bag;

/** A small app: login stores a name, /me reads it back, regenerate and logout. */
function buildApp(store: SessionStore, overrides: Partial<SessionOptions> = {}): Express {
  const app = httpModule<typeof import('express')>('express')();
  app.use(kitSession(store, overrides));
  app.post('/login', (req, res) => {
    bag(req).user = 'alice';
    res.json({ id: req.sessionID });
  });
  app.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: bag(req).user ?? null });
  });
  app.get('/visit', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/kind', (req, res) => {
    res.send(typeof req.session);
  });
  app.post('/regenerate', (req, res, next) => {
    const user = bag(req).user;
    req.session.regenerate((err) => {
      if (err) return next(err);
      bag(req).user = user;
      res.json({ id: req.sessionID });
    });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  return app;
}

/** supertest, loaded when a case runs (it need not be installed for the kit's other groups). */
const request = ((...args: Parameters<typeof supertest>) =>
  httpModule<typeof supertest>('supertest')(...args)) as typeof supertest;
request.agent = ((...args: Parameters<typeof supertest.agent>) =>
  httpModule<typeof supertest>('supertest').agent(...args)) as typeof supertest.agent;

const needsHttp = needsModules('express', 'express-session', 'supertest');

/** The store works behind a real express-session app, driven over HTTP. */
export const expressFlowGroup: ConformanceGroup = {
  name: 'express-session over HTTP',
  cases: [
    {
      name: 'login sets a cookie and the next request reads the session back',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const agent = request.agent(buildApp(s));
        const login = await agent.post('/login').expect(200);
        const cookie = String(login.headers['set-cookie']);
        expect(cookie).toMatch(/^connect\.sid=s%3A/);
        expect(cookie).toMatch(/Path=\//);
        expect(cookie).toMatch(/HttpOnly/);
        expect(cookie).toMatch(/Expires=/);
        const me = await agent.get('/me').expect(200);
        expect(me.body).toEqual({ id: login.body.id, user: 'alice' });
        expect(field(await s.get(login.body.id), 'user')).toBe('alice');
      },
    },
    {
      name: 'regenerate moves the data to a new id and the old id is gone from the store',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const agent = request.agent(buildApp(s));
        const oldId = (await agent.post('/login').expect(200)).body.id as string;
        const newId = (await agent.post('/regenerate').expect(200)).body.id as string;
        expect(newId).not.toBe(oldId);
        expect(await s.get(oldId)).toBeNull();
        expect((await agent.get('/me').expect(200)).body).toEqual({ id: newId, user: 'alice' });
      },
    },
    {
      name: 'logout destroys the session in the store',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const agent = request.agent(buildApp(s));
        const id = (await agent.post('/login').expect(200)).body.id as string;
        await agent.post('/logout').expect(200);
        expect(await s.get(id)).toBeNull();
        expect((await agent.get('/me').expect(200)).body.user).toBeNull();
      },
    },
    {
      name: 'resave: false with rolling: true touches the stored expiry on an unmodified request',
      timeoutMs: 15_000,
      unsupported: allOf(
        needsHttp,
        needsCore('promise to store the refreshed cookie on touch'),
        needsMethods('touch'),
      ),
      async run({ store }) {
        // Every touch written: with touchMargin the stored expiry may trail (its own group covers that).
        const s = await store({ touchMargin: 0 });
        const agent = request.agent(buildApp(s, { rolling: true }));
        const id = (await agent.post('/login').expect(200)).body.id as string;
        const before = storedExpiry(await s.get(id)) as number;
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const visit = await agent.get('/visit').expect(200);
        expect(String(visit.headers['set-cookie'])).toMatch(/connect\.sid=/);
        const after = storedExpiry(await s.get(id)) as number;
        expect(after).toBeGreaterThanOrEqual(before + 1000);
        expect(field(await s.get(id), 'user')).toBe('alice');
      },
    },
    {
      name: 'resave: false with rolling: true keeps a visited session alive past its first expiry',
      timeoutMs: 15_000,
      unsupported: allOf(needsHttp, needsPlain, needsMethods('touch')),
      async run({ store, capabilities }) {
        const s = await store();
        const agent = request.agent(buildApp(s, { rolling: true, cookie: { maxAge: 5000 } }));
        const started = Date.now();
        await agent.post('/login').expect(200);
        await sleep(2500);
        // Unmodified: express-session calls touch(), and the store must extend the session
        // (to 7.5 s, less rounding): it is read past its first expiry (5 s, plus rounding).
        await agent.get('/visit').expect(200);
        await sleep(Math.max(0, started + 5300 + capabilities.ttlGranularityMs - Date.now()));
        expect((await agent.get('/me').expect(200)).body.user).toBe('alice');
      },
    },
    {
      name: 'saveUninitialized: false stores nothing for an untouched session',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const res = await request(buildApp(s)).get('/me').expect(200);
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(await s.get(res.body.id)).toBeNull();
        if (s.capabilities.methods.length) expect(await s.length()).toBe(0);
      },
    },
    {
      // express-session's own tests "should not be set if store is disconnected" and
      // "should be set when store reconnects", with this store in place of its MemoryStore.
      name: 'after disconnect requests get no session, and after connect they get one again',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const app = buildApp(s);
        s.emit('disconnect');
        for (let round = 0; round < 2; round += 1) {
          const res = await request(app).get('/kind').expect(200);
          expect(res.text).toBe('undefined');
          expect(res.headers['set-cookie']).toBeUndefined();
          // Long enough for a late event from the store to undo the disconnect, if it sends one.
          await eventLoopTurns(5);
        }
        s.emit('connect');
        expect((await request(app).get('/kind').expect(200)).text).toBe('object');
      },
    },
    {
      name: 'an unknown or tampered cookie starts a new session',
      unsupported: needsHttp,
      async run({ store }) {
        const s = await store();
        const app = buildApp(s);
        const res = await request(app)
          .get('/me')
          .set('Cookie', 'connect.sid=s%3Aforged.invalidsignature')
          .expect(200);
        expect(res.body.user).toBeNull();
        expect(res.body.id).not.toBe('forged');
      },
    },
  ],
};
