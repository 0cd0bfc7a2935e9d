import type { Express } from 'express';
import type supertest from 'supertest';
import type { SessionData } from '../../session-data';
import type { SessionStore } from '../../session-store';
import { expect } from '../expect';
import {
  allOf,
  field,
  kitSession,
  makeSession,
  needsCore,
  needsInspect,
  needsMethods,
  needsModules,
  sleep,
} from '../fixtures';
import { httpModule } from '../http-modules';
import type { ConformanceGroup } from '../types';

/** Every case sets core's `touchMargin` option. */
const needsTouch = allOf(needsCore('touchMargin option'), needsMethods('touch'));
const needsTouchOverHttp = allOf(needsTouch, needsModules('express', 'express-session', 'supertest'));

/** The margin these cases use: half the lifetime, so skips are frequent and the bounds wide. */
const MARGIN = 0.5;
/** The cookie lifetime of the HTTP cases. */
const MAX_AGE_MS = 4000;

type Bag = Record<string, unknown>;

/** An app whose `/visit` leaves the session unmodified, so express-session touches it. */
function touchingApp(store: SessionStore, rolling: boolean): Express {
  const app = httpModule<typeof import('express')>('express')();
  app.use(kitSession(store, { rolling, cookie: { maxAge: MAX_AGE_MS } }));
  app.post('/login', (req, res) => {
    (req.session as unknown as Bag).user = 'alice';
    res.json({ id: req.sessionID });
  });
  app.get('/visit', (req, res) => {
    res.json({ user: (req.session as unknown as Bag).user ?? null });
  });
  return app;
}

/** How many times an HTTP case starts over when a busy machine left its outcome undecided. */
const HTTP_ATTEMPTS = 3;

/**
 * Logs in, then visits (unmodified requests: touches, most of them skipped where the
 * backend reports the stored expiry), then checks that the session is still there well
 * inside the lifetime of the cookie the browser holds. With rolling, the visits last longer
 * than the login's expiry plus its margin, so a store that skipped touches it should have
 * written would have lost the session by the check.
 *
 * A visit is judged only when its answer arrived before the cookie it was sent with
 * expired: the app handled it before then, so the session must still be there. An answer
 * that came later (a paused process) proves nothing either way: the attempt returns false
 * and the case starts over.
 */
async function visitsKeepTheSession(s: SessionStore, rolling: boolean): Promise<boolean> {
  const agent = httpModule<typeof supertest>('supertest').agent(touchingApp(s, rolling));
  const loggedInAt = Date.now();
  await agent.post('/login').expect(200);
  // A lower bound: the app set the cookie's expiry after this process took loggedInAt.
  let cookieExpiresAt = loggedInAt + MAX_AGE_MS;
  /** One visit; false when it cannot be judged. */
  const visit = async (): Promise<boolean> => {
    const sentAt = Date.now();
    const answer = await agent.get('/visit').expect(200);
    if (Date.now() >= cookieExpiresAt) return false;
    expect(answer.body.user).toBe('alice');
    // rolling: every answer sets the cookie again, expiring a lifetime after the request.
    if (answer.headers['set-cookie']) cookieExpiresAt = sentAt + MAX_AGE_MS;
    return true;
  };
  // Without rolling the browser's cookie is the login's: the visits stay well inside it.
  const visitingMs = rolling ? MAX_AGE_MS * (1 + MARGIN) - 2000 : 2000;
  while (Date.now() - loggedInAt < visitingMs) {
    await sleep(250);
    if (!(await visit())) return false;
  }
  expect(cookieExpiresAt > loggedInAt + MAX_AGE_MS).toBe(rolling);
  // Past the login's expiry (rolling), inside the expiry of the cookie the browser holds.
  await sleep(Math.max(0, cookieExpiresAt - 1500 - Date.now()));
  return visit();
}

/** Runs {@link visitsKeepTheSession} until one attempt is decided, on a new store each time. */
async function decidedVisits(store: () => Promise<SessionStore>, rolling: boolean): Promise<void> {
  for (let attempt = 1; attempt <= HTTP_ATTEMPTS; attempt++) {
    if (await visitsKeepTheSession(await store(), rolling)) return;
  }
  throw new Error(
    `touchMargin over HTTP: in each of ${HTTP_ATTEMPTS} attempts an answer arrived after its cookie expired, so nothing could be judged (is the machine too busy?)`,
  );
}

/** express-session's `touch` argument: the loaded session with its cookie moved to expire `maxAgeMs` from now. */
function touchedCopy(loaded: SessionData, maxAgeMs: number): SessionData {
  const cookie = { ...(loaded.cookie as object), expires: new Date(Date.now() + maxAgeMs) };
  return Object.assign(loaded, { cookie }) as SessionData;
}

/**
 * `touchMargin` (core option): touches the stored copy already covers are not written, and no
 * session expires before the cookie the browser was given says.
 */
export const touchMarginGroup: ConformanceGroup = {
  name: 'touchMargin',
  cases: [
    {
      name: 'touchMargin: a session touched over HTTP with rolling: true never expires before its cookie says',
      timeoutMs: 60_000,
      unsupported: needsTouchOverHttp,
      async run({ store }) {
        await decidedVisits(() => store({ touchMargin: MARGIN }), true);
      },
    },
    {
      name: 'touchMargin: a session touched over HTTP with rolling: false never expires before its cookie says',
      timeoutMs: 60_000,
      unsupported: needsTouchOverHttp,
      async run({ store }) {
        await decidedVisits(() => store({ touchMargin: MARGIN }), false);
      },
    },
    {
      name: 'touchMargin: a skipped touch loses no data another request saved',
      unsupported: needsTouch,
      async run({ store, sid }) {
        const s = await store({ touchMargin: MARGIN });
        const id = sid();
        await s.set(id, makeSession({ v: 1, keep: 'yes' }, 60_000));
        const first = (await s.get(id)) as SessionData;
        const second = (await s.get(id)) as SessionData;
        Object.assign(second, { v: 2 });
        await s.set(id, second);
        // Moves the expiry by a second: well inside the margin, so the touch may be skipped.
        await s.touch(id, touchedCopy(first, 61_000));
        const stored = await s.get(id);
        expect(field(stored, 'v')).toBe(2);
        expect(field(stored, 'keep')).toBe('yes');
      },
    },
    {
      name: 'touchMargin: a touch the stored expiry does not cover is written, whoever saved the session',
      timeoutMs: 15_000,
      unsupported: needsTouch,
      async run({ store, sid, prefix }) {
        const shared = prefix('shared');
        // Saved by a store without the margin: the backend's expiry is exactly the cookie's.
        const plain = await store({ touchMargin: 0 }, shared);
        const lazy = await store({ touchMargin: MARGIN }, shared);
        const id = sid();
        const savedAt = Date.now();
        await plain.set(id, makeSession({ v: 1 }, 2000));
        await sleep(700);
        const loaded = (await lazy.get(id)) as SessionData;
        expect(field(loaded, 'v')).toBe(1);
        const touchedAt = Date.now();
        await lazy.touch(id, touchedCopy(loaded, 2000));
        // Past the first save's expiry, inside the touch's: a skipped touch would show here.
        await sleep(Math.max(0, Math.max(savedAt + 2300, touchedAt + 1400) - Date.now()));
        expect(field(await lazy.get(id), 'v')).toBe(1);
      },
    },
    {
      name: 'touchMargin: the server TTL of a save is the cookie expiry plus the margin',
      unsupported: allOf(needsCore('touchMargin option'), needsInspect('ttl')),
      async run({ store, sid, inspect, capabilities }) {
        const s = await store({ touchMargin: 0.1 });
        const id = sid();
        await s.set(id, makeSession({}, 60_000));
        const remaining = (await inspect.ttl?.(s, id)) as number;
        expect(remaining).toBeGreaterThan(61_000);
        expect(remaining).toBeLessThanOrEqual(66_000 + capabilities.ttlGranularityMs);
      },
    },
  ],
};
