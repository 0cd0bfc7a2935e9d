import { randomBytes } from 'node:crypto';
import { expect } from '../expect';
import { field, makeSession, needsMethods } from '../fixtures';
import type { ConformanceGroup } from '../types';

/** Ids a store must accept as they are: separators, globs, paths, non-ASCII, long, leading `_`. */
function oddIds(token: string): string[] {
  return [
    `a:b-${token}`,
    `x*y-${token}`,
    `[z]-${token}`,
    `?-${token}`,
    `../w-${token}`,
    `ü-${token}`,
    `_${token}`,
    `_design-${token}`,
    `${token}-${'l'.repeat(255 - token.length - 1)}`,
    // express-session's own generator: 24 random bytes, base64url; about one in 64 starts with "_".
    `_${randomBytes(24).toString('base64url').slice(1)}`,
  ];
}

/** Session ids are opaque strings. */
export const oddIdsGroup: ConformanceGroup = {
  name: 'odd ids',
  cases: [
    {
      name: 'odd ids round-trip through set, get and destroy',
      async run({ store, sid }) {
        const s = await store();
        for (const id of oddIds(sid())) {
          await s.set(id, makeSession({ owner: `data of ${id}` }));
          expect({ id, value: field(await s.get(id), 'owner') }).toEqual({ id, value: `data of ${id}` });
          await s.destroy(id);
          expect({ id, after: await s.get(id) }).toEqual({ id, after: null });
        }
      },
    },
    {
      name: 'ids() lists odd ids exactly as they were given',
      unsupported: needsMethods('ids'),
      async run({ store, sid }) {
        const s = await store();
        const ids = oddIds(sid());
        for (const id of ids) await s.set(id, makeSession());
        expect((await s.ids()).sort()).toEqual([...ids].sort());
      },
    },
  ],
};
