import type { StoreCapabilities } from '../../capabilities';
import { expect } from '../expect';
import { allOf, makeSession, needsInspect, needsMethods } from '../fixtures';
import type { CaseContext, ConformanceGroup } from '../types';

const needsIsolation = (capabilities: StoreCapabilities): string | undefined =>
  capabilities.prefixIsolation ? undefined : 'store declares no prefix isolation';

/**
 * Two stores whose prefixes overlap as glob patterns: an unescaped `SCAN MATCH a*`
 * would also match every key of `ab`, `c?` would match `cd`, `[e]` would match `e`.
 */
async function neighbours(context: CaseContext) {
  const base = context.prefix('glob');
  const pairs: Array<[string, string]> = [
    [`${base}a*`, `${base}ab`],
    [`${base}c?`, `${base}cd`],
    [`${base}[e]`, `${base}e`],
  ];
  const result = [];
  for (const [mine, theirs] of pairs) {
    result.push({
      mine: await context.store({}, mine),
      theirs: await context.store({}, theirs),
      mine_: mine,
    });
  }
  return result;
}

/** Stores with different prefixes never see or touch each other's sessions. */
export const prefixIsolationGroup: ConformanceGroup = {
  name: 'prefix isolation',
  cases: [
    {
      name: 'get does not see another prefix’s session',
      unsupported: needsIsolation,
      async run(context) {
        const a = await context.store();
        const b = await context.store();
        const id = context.sid();
        await a.set(id, makeSession({ owner: 'a' }));
        expect(await b.get(id)).toBeNull();
      },
    },
    {
      name: 'all, ids and length see only their own prefix, even with glob characters in it',
      unsupported: allOf(needsIsolation, needsMethods('all', 'length')),
      async run(context) {
        for (const { mine, theirs } of await neighbours(context)) {
          const own = context.sid('own');
          await mine.set(own, makeSession());
          await theirs.set(context.sid('other'), makeSession());
          if (mine.capabilities.methods.ids) {
            expect({ prefix: mine.prefix, ids: await mine.ids() }).toEqual({
              prefix: mine.prefix,
              ids: [own],
            });
          }
          expect({ prefix: mine.prefix, length: await mine.length() }).toEqual({
            prefix: mine.prefix,
            length: 1,
          });
          expect((await mine.all()).map((session) => session.id)).toEqual([own]);
        }
      },
    },
    {
      name: 'clear removes only its own prefix, even with glob characters in it',
      unsupported: allOf(needsIsolation, needsMethods('clear')),
      async run(context) {
        for (const { mine, theirs } of await neighbours(context)) {
          const other = context.sid('other');
          await mine.set(context.sid('own'), makeSession());
          await theirs.set(other, makeSession({ keep: true }));
          await mine.clear();
          expect({ prefix: theirs.prefix, kept: await theirs.get(other) }).toMatchObject({
            prefix: theirs.prefix,
            kept: { keep: true },
          });
        }
      },
    },
    {
      name: 'clear leaves foreign keys alone',
      unsupported: allOf(
        needsIsolation,
        needsMethods('clear'),
        needsInspect('writeForeign', 'foreignExists'),
      ),
      async run(context) {
        const inspect = context.inspect;
        for (const { mine, mine_ } of await neighbours(context)) {
          // Matches the prefix as an unescaped glob, but is not under it.
          const foreign = `${mine_.replace(/[*?[\]]/g, '')}-foreign-${context.sid()}`;
          await inspect.writeForeign?.(mine, foreign);
          await mine.set(context.sid(), makeSession());
          await mine.clear();
          expect({ foreign, exists: await inspect.foreignExists?.(mine, foreign) }).toEqual({
            foreign,
            exists: true,
          });
        }
      },
    },
  ],
};
