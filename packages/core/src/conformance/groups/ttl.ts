import type { StoreCapabilities } from '../../capabilities';
import type { SessionData } from '../../session-data';
import { expect } from '../expect';
import {
  allOf,
  field,
  makeBrowserSession,
  makeSession,
  needsCore,
  needsInspect,
  sleep,
  waitFor,
} from '../fixtures';
import type { ConformanceGroup } from '../types';

/** The cases that compare the server TTL exactly run without the touch margin, whatever the run's defaults. */
const EXACT_TTL = { touchMargin: 0 } as const;

const needsServerExpiry = (capabilities: StoreCapabilities): string | undefined =>
  capabilities.expiresOnServer ? undefined : 'store declares that expired sessions stay in the backend';

/** Expiry follows the one TTL rule, on the backend's own clock, in real time. */
export const ttlGroup: ConformanceGroup = {
  name: 'ttl',
  cases: [
    {
      name: 'a session whose cookie expires in 1.5 s cannot be read after it expires',
      timeoutMs: 10_000,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }, 1500));
        expect(field(await s.get(id), 'v')).toBe(1);
        expect(await waitFor(async () => (await s.get(id)) === null, 3000)).toBe(true);
      },
    },
    {
      name: 'a session whose cookie expires in 1.5 s is gone from the backend within 3 s',
      timeoutMs: 10_000,
      unsupported: allOf(needsServerExpiry, needsInspect('exists')),
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }, 1500));
        expect(await inspect.exists?.(s, id)).toBe(true);
        expect(await waitFor(async () => !(await inspect.exists?.(s, id)), 3000)).toBe(true);
      },
    },
    {
      name: 'a session whose cookie has already expired is not stored, and replaces nothing',
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 1 }));
        await s.set(id, makeSession({ v: 2 }, -1000));
        expect(await s.get(id)).toBeNull();
        if (inspect.exists) expect(await inspect.exists(s, id)).toBe(false);
      },
    },
    {
      name: 'disableTTL keeps a session past its cookie expiry',
      unsupported: needsCore('core options (disableTTL)'),
      timeoutMs: 10_000,
      async run({ store, sid, inspect }) {
        const s = await store({ disableTTL: true });
        const id = sid();
        await s.set(id, makeSession({ v: 1 }, 1500));
        if (inspect.ttl) expect(await inspect.ttl(s, id)).toBeNull();
        await sleep(2500);
        expect(field(await s.get(id), 'v')).toBe(1);
      },
    },
    {
      name: 'a ttl function wins over the cookie',
      unsupported: needsCore('core options (ttl)'),
      timeoutMs: 10_000,
      async run({ store, sid, inspect }) {
        const seen: unknown[] = [];
        const s = await store({
          ...EXACT_TTL,
          ttl: (session: SessionData) => {
            seen.push(field(session, 'v'));
            return 1;
          },
        });
        const id = sid();
        await s.set(id, makeSession({ v: 7 }, 3_600_000));
        expect(seen).toContain(7);
        if (inspect.ttl) {
          const remaining = await inspect.ttl(s, id);
          expect(remaining).not.toBeNull();
          expect(remaining as number).toBeLessThanOrEqual(1000);
        }
        expect(await waitFor(async () => (await s.get(id)) === null, 3000)).toBe(true);
      },
    },
    {
      name: 'the server TTL matches the cookie expiry',
      unsupported: needsInspect('ttl'),
      async run({ store, sid, inspect, capabilities }) {
        const s = await store(EXACT_TTL);
        const id = sid();
        await s.set(id, makeSession({}, 60_000));
        const remaining = (await inspect.ttl?.(s, id)) as number;
        expect(remaining).toBeGreaterThan(55_000);
        expect(remaining).toBeLessThanOrEqual(60_000 + capabilities.ttlGranularityMs);
      },
    },
    {
      name: 'without a cookie expiry the TTL is the ttl option, by default one day',
      unsupported: allOf(needsCore('core options (ttl)'), needsInspect('ttl')),
      async run({ store, sid, inspect, capabilities }) {
        const slack = 5000 + capabilities.ttlGranularityMs;
        const byDefault = await store(EXACT_TTL);
        const a = sid();
        await byDefault.set(a, makeBrowserSession());
        expect(Math.abs(((await inspect.ttl?.(byDefault, a)) as number) - 86_400_000)).toBeLessThan(slack);
        const custom = await store({ ...EXACT_TTL, ttl: 100 });
        const b = sid();
        await custom.set(b, makeBrowserSession());
        expect(Math.abs(((await inspect.ttl?.(custom, b)) as number) - 100_000)).toBeLessThan(slack);
        const c = sid();
        await custom.set(c, makeSession({}, 30_000));
        expect(Math.abs(((await inspect.ttl?.(custom, c)) as number) - 30_000)).toBeLessThan(slack);
      },
    },
  ],
};
