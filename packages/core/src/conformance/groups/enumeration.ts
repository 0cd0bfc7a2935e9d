import { expect } from '../expect';
import { allCalls, field, makeSession, needsMethods } from '../fixtures';
import type { ConformanceGroup } from '../types';

/** all, ids, length and clear agree with what was stored. */
export const enumerationGroup: ConformanceGroup = {
  name: 'enumeration',
  cases: [
    {
      name: 'all returns every session with its id',
      unsupported: needsMethods('all'),
      async run({ store, sid, plain }) {
        const s = await store();
        const ids = [sid(), sid(), sid()];
        for (const [index, id] of ids.entries()) await s.set(id, makeSession({ n: index }));
        const all = await s.all();
        expect(all.map((session) => field(session, 'n')).sort()).toEqual([0, 1, 2]);
        // express-session asks only for "an array of sessions"; a plain store that lists them
        // without their ids (an array) is judged on the sessions alone.
        if (plain && all.some((session) => session.id === undefined)) return;
        expect(all.map((session) => session.id).sort()).toEqual([...ids].sort());
        for (const session of all) expect(field(session, 'n')).toBe(ids.indexOf(session.id));
      },
    },
    {
      name: 'ids returns every id once',
      unsupported: needsMethods('ids'),
      async run({ store, sid }) {
        const s = await store();
        const ids = Array.from({ length: 250 }, () => sid());
        await allCalls(ids.map((id) => s.set(id, makeSession())));
        expect((await s.ids()).sort()).toEqual([...ids].sort());
      },
    },
    {
      name: 'length counts the sessions',
      unsupported: needsMethods('length'),
      async run({ store, sid }) {
        const s = await store();
        expect(await s.length()).toBe(0);
        const ids = [sid(), sid()];
        for (const id of ids) await s.set(id, makeSession());
        expect(await s.length()).toBe(2);
        await s.destroy(ids[0] as string);
        expect(await s.length()).toBe(1);
      },
    },
    {
      name: 'clear removes every session of the store',
      unsupported: needsMethods('clear'),
      async run({ store, sid }) {
        const s = await store();
        const ids = Array.from({ length: 150 }, () => sid());
        await allCalls(ids.map((id) => s.set(id, makeSession())));
        await s.clear();
        for (const id of ids.slice(0, 10)) expect(await s.get(id)).toBeNull();
        if (s.capabilities.methods.length) expect(await s.length()).toBe(0);
      },
    },
    {
      name: 'expired sessions are not listed',
      timeoutMs: 10_000,
      unsupported: needsMethods('all'),
      async run({ store, sid, plain }) {
        const s = await store();
        const live = sid();
        await s.set(live, makeSession({ live: true }));
        await s.set(sid(), makeSession({ live: false }, 1000));
        await new Promise((resolve) => setTimeout(resolve, 2500));
        if (s.capabilities.methods.ids) expect(await s.ids()).toEqual([live]);
        const all = await s.all();
        expect(all.map((session) => field(session, 'live'))).toEqual([true]);
        if (!plain || all.every((session) => session.id !== undefined)) {
          expect(all.map((session) => session.id)).toEqual([live]);
        }
      },
    },
  ],
};
