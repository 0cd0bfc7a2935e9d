import { expect } from '@jest/globals';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { ErrorCode } from '../../errors';
import type { SessionData } from '../../session-data';
import type { SessionStore, SessionStoreOptions } from '../../session-store';
import type { UserSession } from '../../user-index';
import { allOf, field, kitSession, makeSession, needsInspect, rejectionOf, waitFor } from '../fixtures';
import type { CaseContext, ConformanceCase, ConformanceGroup } from '../types';
import { holds } from './overlapping-requests';

type Bag = Record<string, unknown>;
const bag = (req: Request): Bag => req.session as unknown as Bag;

/** The kit's `userOf`: the session's `user` key. */
const userOf = (session: SessionData): string | undefined => (session as unknown as Bag).user as never;

const needsUserSessions: ConformanceCase['unsupported'] = (capabilities) =>
  capabilities.userSessions === true ? undefined : 'store declares no userSessions';

const needsConditionalWrites: ConformanceCase['unsupported'] = (capabilities) =>
  capabilities.conditionalWrites === true ? undefined : 'store declares no conditionalWrites';

/** A store of the case with `userOf` (and any other options). */
const userStore = (context: CaseContext, options: SessionStoreOptions = {}): Promise<SessionStore> =>
  context.store({ userOf, ...options });

/** Saves one session per user named, each under a fresh id; returns the ids, in order. */
async function loginAll(
  s: SessionStore,
  context: CaseContext,
  users: readonly (string | undefined)[],
  maxAgeMs = 60_000,
): Promise<string[]> {
  const ids: string[] = [];
  for (const user of users) {
    const id = context.sid('u');
    await s.set(id, makeSession(user === undefined ? { n: ids.length } : { user, n: ids.length }, maxAgeMs));
    ids.push(id);
  }
  return ids;
}

/** The ids `user`'s index holds as stored (the `indexedIds` hook), sorted. */
const indexedIds = async ({ inspect }: CaseContext, s: SessionStore, user: string): Promise<string[]> =>
  ((await inspect.indexedIds?.(s, user)) ?? []).sort();

/** A cookie lifetime short enough to wait out, yet one the store's TTL step can express. */
const shortMaxAge = ({ capabilities }: CaseContext): number => Math.max(capabilities.ttlGranularityMs, 300);

/** The ids `sessionsOf` lists, sorted. */
const idsOf = (sessions: readonly UserSession[]): string[] => sessions.map((entry) => entry.id).sort();

/** An app where a user logs in by name, lists their devices and logs out everywhere else. */
function devicesApp(s: SessionStore): Express {
  const app = express();
  app.use(kitSession(s));
  app.post('/login/:name', (req, res) => {
    bag(req).user = req.params.name;
    res.json({ id: req.sessionID });
  });
  app.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: bag(req).user ?? null });
  });
  app.get('/devices', (req, res, next) => {
    s.sessionsOf(String(bag(req).user)).then((mine) => res.json(idsOf(mine)), next);
  });
  app.post('/logout-everywhere-else', (req, res, next) => {
    s.destroyAllOf(String(bag(req).user), { except: req.sessionID }).then(
      (ended) => res.json({ ended }),
      next,
    );
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  return app;
}

/**
 * Per-user sessions, with the `userOf` option: listing, ending all (or all but one), the cap,
 * user changes, expiry and odd user names, over the store API and through express-session.
 */
export const userSessionsGroup: ConformanceGroup = {
  name: 'user sessions',
  cases: [
    {
      name: 'the userOf option is accepted exactly when the manifest declares userSessions',
      async run({ declared, store }) {
        if (declared.userSessions === true) {
          const s = await store({ userOf });
          expect(await s.sessionsOf('nobody')).toEqual([]);
        } else {
          const refused = await rejectionOf(Promise.resolve().then(() => store({ userOf })));
          expect(refused).toMatchObject({ code: ErrorCode.InvalidOption, option: 'userOf' });
        }
      },
    },
    {
      name: "sessionsOf lists each user's live sessions with their data and expiry, and only theirs",
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'bob', 'alice', undefined, 'alice', 'bob']);
        const alice = await s.sessionsOf('alice');
        expect(idsOf(alice)).toEqual([ids[0], ids[2], ids[4]].sort());
        expect(idsOf(await s.sessionsOf('bob'))).toEqual([ids[1], ids[5]].sort());
        expect(await s.sessionsOf('carol')).toEqual([]);
        for (const entry of alice) {
          expect(field(entry.session, 'user')).toBe('alice');
          expect(entry.expires).toBeInstanceOf(Date);
          expect(Math.abs((entry.expires as Date).getTime() - (Date.now() + 60_000))).toBeLessThan(10_000);
        }
      },
    },
    {
      name: 'destroyAllOf ends every session of the user, resolves with how many, and leaves others alone',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'bob', 'alice', undefined, 'alice']);
        expect(await s.destroyAllOf('alice')).toBe(3);
        for (const id of [ids[0], ids[2], ids[4]]) expect(await s.get(id as string)).toBeNull();
        expect(field(await s.get(ids[1] as string), 'user')).toBe('bob');
        expect(await s.get(ids[3] as string)).not.toBeNull();
        expect(await s.sessionsOf('alice')).toEqual([]);
        expect(await s.destroyAllOf('alice')).toBe(0);
      },
    },
    {
      name: 'destroyAllOf with except keeps the sessions named (one id or several)',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'alice', 'alice', 'alice']);
        const [a, b, c, d] = ids as [string, string, string, string];
        expect(await s.destroyAllOf('alice', { except: b })).toBe(3);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([b]);
        const more = await loginAll(s, context, ['alice', 'alice']);
        expect(await s.destroyAllOf('alice', { except: [b, more[1] as string] })).toBe(1);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([b, more[1]].sort());
        for (const id of [a, c, d, more[0] as string]) expect(await s.get(id)).toBeNull();
      },
    },
    {
      name: 'a destroyed session is never listed nor counted',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'alice', 'alice']);
        await s.destroy(ids[1] as string);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([ids[0], ids[2]].sort());
        expect(await s.destroyAllOf('alice')).toBe(2);
      },
    },
    {
      name: "when a session's user changes, the index follows (a loaded session and a plain write)",
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const [first, second] = (await loginAll(s, context, ['alice', 'alice'])) as [string, string];
        // Logged in as someone else, on a session loaded from the store.
        const loaded = (await s.get(first)) as unknown as Bag;
        loaded.user = 'bob';
        await s.set(first, loaded as never);
        // Logged out, keeping the session, by a plain write.
        await s.set(second, makeSession({ n: 2 }));
        expect(await s.sessionsOf('alice')).toEqual([]);
        expect(idsOf(await s.sessionsOf('bob'))).toEqual([first]);
        expect(await s.destroyAllOf('alice')).toBe(0);
        expect(field(await s.get(first), 'user')).toBe('bob');
        expect(field(await s.get(second), 'n')).toBe(2);
      },
    },
    {
      name: 'maxSessionsPerUser ends the least recently used sessions beyond the cap, and only on a new one',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context, { maxSessionsPerUser: 2 });
        const ids: string[] = [];
        // Later logins expire later, as with express-session's rolling cookies.
        for (let index = 0; index < 3; index += 1) {
          ids.push(...(await loginAll(s, context, ['alice'], 60_000 + index * 5_000)));
        }
        expect(await s.get(ids[0] as string)).toBeNull();
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([ids[1], ids[2]].sort());
        // Saving a session the user already has ends nothing.
        const again = (await s.get(ids[1] as string)) as unknown as Bag;
        again.n = 'again';
        await s.set(ids[1] as string, again as never);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([ids[1], ids[2]].sort());
        // Another user is not capped by alice's sessions.
        await loginAll(s, context, ['bob', 'bob']);
        expect((await s.sessionsOf('bob')).length).toBe(2);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([ids[1], ids[2]].sort());
      },
    },
    {
      name: 'an invalid maxSessionsPerUser or userOf fails with ERR_INVALID_OPTION naming it',
      unsupported: needsUserSessions,
      async run({ store }) {
        for (const [options, option] of [
          [{ userOf, maxSessionsPerUser: 0 }, 'maxSessionsPerUser'],
          [{ userOf, maxSessionsPerUser: 1.5 }, 'maxSessionsPerUser'],
          [{ maxSessionsPerUser: 3 }, 'maxSessionsPerUser'],
          [{ userOf: 'user' }, 'userOf'],
        ] as const) {
          const refused = await rejectionOf(Promise.resolve().then(() => store(options as never)));
          expect(refused).toMatchObject({ code: ErrorCode.InvalidOption, option });
        }
      },
    },
    {
      name: 'a userOf that throws or returns a non-string fails that set() with ERR_USER_OF, leaving the stored session',
      unsupported: needsUserSessions,
      async run({ store, sid }) {
        const s = await store({
          userOf: (session) => {
            const { user } = session as unknown as Bag;
            if (user === 'throw') throw new Error('no user here');
            return user as never;
          },
        });
        const id = sid();
        await s.set(id, makeSession({ user: 'alice', n: 1 }));
        for (const user of ['throw', 42, null, '']) {
          const failed = await rejectionOf(s.set(id, makeSession({ user, n: 2 })));
          expect(failed).toMatchObject({ code: ErrorCode.UserOf });
          expect(String((failed as Error).message)).toMatch(/userOf/);
        }
        const viaCallback = await new Promise((resolve) => {
          s.set(id, makeSession({ user: 'throw', n: 3 }), resolve);
        });
        expect(viaCallback).toMatchObject({ code: ErrorCode.UserOf });
        expect(field(await s.get(id), 'n')).toBe(1);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([id]);
      },
    },
    {
      name: 'sessionsOf and destroyAllOf take callbacks, and reject a bad user with ERR_INVALID_ARGUMENT',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'alice']);
        const listed = await new Promise<unknown>((resolve, reject) => {
          s.sessionsOf('alice', (err, sessions) => (err ? reject(err) : resolve(sessions)));
        });
        expect(idsOf(listed as UserSession[])).toEqual([...ids].sort());
        const ended = await new Promise<unknown>((resolve, reject) => {
          s.destroyAllOf('alice', { except: ids[0] }, (err, count) => (err ? reject(err) : resolve(count)));
        });
        expect(ended).toBe(1);
        const endedAll = await new Promise<unknown>((resolve, reject) => {
          s.destroyAllOf('alice', (err, count) => (err ? reject(err) : resolve(count)));
        });
        expect(endedAll).toBe(1);
        for (const bad of ['', 7, undefined]) {
          expect(await rejectionOf(s.sessionsOf(bad as never))).toMatchObject({
            code: ErrorCode.InvalidArgument,
          });
          expect(await rejectionOf(s.destroyAllOf(bad as never))).toMatchObject({
            code: ErrorCode.InvalidArgument,
          });
        }
        expect(await rejectionOf(s.destroyAllOf('alice', { except: 5 } as never))).toMatchObject({
          code: ErrorCode.InvalidArgument,
        });
      },
    },
    {
      name: 'without the userOf option, sessionsOf and destroyAllOf fail with an error naming it',
      unsupported: needsUserSessions,
      async run({ store }) {
        const s = await store();
        expect(await rejectionOf(s.sessionsOf('alice'))).toMatchObject({ option: 'userOf' });
        expect(await rejectionOf(s.destroyAllOf('alice'))).toMatchObject({ option: 'userOf' });
      },
    },
    {
      name: 'user names with glob characters, colons, braces or % never match another user',
      unsupported: needsUserSessions,
      async run(context) {
        const s = await userStore(context);
        const names = [
          'a',
          'a*',
          '*',
          '?',
          'a?',
          '[a]',
          'a:b',
          'a:*',
          '{a}',
          '{a}:b',
          'a\\',
          'a%',
          '%2a',
          'a b',
          'ü',
        ];
        const ids = await loginAll(s, context, names);
        for (const [index, name] of names.entries()) {
          expect({ name, ids: idsOf(await s.sessionsOf(name)) }).toEqual({ name, ids: [ids[index]] });
        }
        expect(await s.destroyAllOf('*')).toBe(1);
        expect(await s.destroyAllOf('a:*')).toBe(1);
        expect(await s.get(ids[names.indexOf('*')] as string)).toBeNull();
        const left = ids.filter((_, index) => names[index] !== '*' && names[index] !== 'a:*');
        for (const id of left) expect(await s.get(id)).not.toBeNull();
      },
    },
    {
      name: 'expired sessions are never listed, and leave the index',
      timeoutMs: 30_000,
      unsupported: allOf(needsUserSessions, needsInspect('indexedIds')),
      async run(context) {
        const s = await userStore(context);
        const ids = await loginAll(s, context, ['alice', 'alice'], shortMaxAge(context));
        const [kept] = await loginAll(s, context, ['alice']);
        expect(await waitFor(async () => (await s.get(ids[1] as string)) === null, 20_000)).toBe(true);
        expect(idsOf(await s.sessionsOf('alice'))).toEqual([kept]);
        expect(await indexedIds(context, s, 'alice')).toEqual([kept]);
      },
    },
    {
      name: 'a user who logs in again and again leaves no dead entries in the index',
      timeoutMs: 60_000,
      unsupported: allOf(needsUserSessions, needsInspect('indexedIds')),
      async run(context) {
        const s = await userStore(context);
        let previous: string | undefined;
        for (let round = 0; round < 8; round += 1) {
          const [id] = await loginAll(s, context, ['dana'], shortMaxAge(context));
          if (previous) {
            const gone = previous;
            expect(await waitFor(async () => (await s.get(gone)) === null, 20_000)).toBe(true);
          }
          previous = id;
        }
        const [last] = await loginAll(s, context, ['dana']);
        // Only writes happened (no listing): the index holds the live session and at most one dead one.
        const indexed = await indexedIds(context, s, 'dana');
        expect(indexed.length).toBeLessThanOrEqual(2);
        expect(indexed).toContain(last);
      },
    },
    {
      name: 'over HTTP: log in on three devices, log out everywhere else from one, the other two are logged out',
      unsupported: needsUserSessions,
      async run(context) {
        const app = devicesApp(await userStore(context));
        const devices = [request.agent(app), request.agent(app), request.agent(app)];
        const ids: string[] = [];
        for (const device of devices) ids.push((await device.post('/login/erin').expect(200)).body.id);
        const other = request.agent(app);
        await other.post('/login/frank').expect(200);
        const [phone, laptop, tablet] = devices as [request.Agent, request.Agent, request.Agent];
        expect((await laptop.get('/devices').expect(200)).body).toEqual([...ids].sort());
        expect((await phone.post('/logout-everywhere-else').expect(200)).body).toEqual({ ended: 2 });
        expect((await phone.get('/me').expect(200)).body.user).toBe('erin');
        expect((await laptop.get('/me').expect(200)).body.user).toBeNull();
        expect((await tablet.get('/me').expect(200)).body.user).toBeNull();
        expect((await other.get('/me').expect(200)).body.user).toBe('frank');
        expect((await phone.get('/devices').expect(200)).body).toEqual([ids[0]]);
      },
    },
    {
      name: 'over HTTP: a request in flight on an ended session does not bring it back',
      unsupported: allOf(needsUserSessions, needsConditionalWrites),
      async run(context) {
        const s = await userStore(context);
        const points = holds();
        const app = devicesApp(s);
        app.post('/slow', async (req, res) => {
          await points.wait('slow');
          bag(req).cart = 'full';
          res.json({ ok: true });
        });
        const phone = request.agent(app);
        const laptop = request.agent(app);
        await phone.post('/login/gina').expect(200);
        const laptopId = (await laptop.post('/login/gina').expect(200)).body.id as string;
        const slow = laptop
          .post('/slow')
          .expect(200)
          .then(() => undefined);
        await points.hold('slow').loaded;
        expect((await phone.post('/logout-everywhere-else').expect(200)).body).toEqual({ ended: 1 });
        points.hold('slow').release();
        // express-session saves before it ends the response: the slow request's save is done.
        await slow;
        expect(await s.get(laptopId)).toBeNull();
        expect((await laptop.get('/me').expect(200)).body.user).toBeNull();
        expect(idsOf(await s.sessionsOf('gina'))).toHaveLength(1);
      },
    },
  ],
};
