import { expect } from '../expect';
import { allOf, field, makeSession, needsCore, needsMethods, sleep, storedExpiry } from '../fixtures';
import type { ConformanceGroup } from '../types';

const needsTouch = needsMethods('touch');

/** touch keeps an active session alive without rewriting its data. */
export const touchGroup: ConformanceGroup = {
  name: 'touch',
  cases: [
    {
      name: 'touch extends the server-side TTL',
      timeoutMs: 10_000,
      unsupported: needsTouch,
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }, 1500));
        await s.touch(id, makeSession({ v: 1 }, 60_000));
        if (inspect.ttl) expect((await inspect.ttl(s, id)) as number).toBeGreaterThan(50_000);
        await sleep(2500);
        expect(field(await s.get(id), 'v')).toBe(1);
      },
    },
    {
      name: 'touch updates the stored cookie.expires',
      // express-session refreshes the cookie in memory on every request; only core promises to store it.
      unsupported: allOf(needsCore('promise to store the refreshed cookie on touch'), needsTouch),
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }, 10_000));
        const refreshed = makeSession({ v: 1 }, 600_000);
        await s.touch(id, refreshed);
        expect(storedExpiry(await s.get(id))).toBe(storedExpiry(refreshed));
      },
    },
    {
      name: 'touch keeps data written since the session was loaded',
      unsupported: needsTouch,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }));
        // Another request saved a change after this one loaded v: 1.
        await s.set(id, makeSession({ v: 2 }));
        await s.touch(id, makeSession({ v: 1 }, 600_000));
        expect(field(await s.get(id), 'v')).toBe(2);
      },
    },
    {
      name: 'touch never creates a missing session',
      unsupported: needsTouch,
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await s.touch(id, makeSession({ v: 1 }));
        expect(await s.get(id)).toBeNull();
        if (inspect.exists) expect(await inspect.exists(s, id)).toBe(false);
      },
    },
    {
      name: 'touch never revives a destroyed session',
      unsupported: needsTouch,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }));
        await s.destroy(id);
        await s.touch(id, makeSession({ v: 1 }));
        expect(await s.get(id)).toBeNull();
      },
    },
    {
      name: 'touch with an expired cookie removes the session',
      unsupported: needsTouch,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }));
        await s.touch(id, makeSession({ v: 1 }, -1000));
        expect(await s.get(id)).toBeNull();
      },
    },
    {
      name: 'disableTouch makes touch a no-op',
      unsupported: allOf(needsCore('core options (disableTouch)'), needsTouch),
      async run({ store, sid }) {
        const s = await store({ disableTouch: true });
        const id = sid();
        const original = makeSession({ v: 1 }, 10_000);
        await s.set(id, original);
        await s.touch(id, makeSession({ v: 1 }, 600_000));
        expect(storedExpiry(await s.get(id))).toBe(storedExpiry(original));
      },
    },
  ],
};
