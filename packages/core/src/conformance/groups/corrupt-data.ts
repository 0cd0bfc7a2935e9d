import { ErrorCode } from '../../errors';
import { expect } from '../expect';
import { allOf, field, makeSession, needsCore, needsInspect, needsPlain } from '../fixtures';
import type { ConformanceGroup } from '../types';

const needsCorrupt = needsInspect('corrupt');

/** Data the store cannot decode is an error with a code, or a miss: never a crash. */
export const corruptDataGroup: ConformanceGroup = {
  name: 'corrupt data',
  cases: [
    {
      name: 'get of corrupt data fails with ERR_SESSION_CORRUPT',
      unsupported: allOf(needsCore('typed errors'), needsCorrupt),
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await inspect.corrupt?.(s, id);
        await expect(s.get(id)).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
      },
    },
    {
      name: 'get of corrupt data gives an error or no session, never a crash',
      unsupported: allOf(needsPlain, needsCorrupt),
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await inspect.corrupt?.(s, id);
        const outcome = await s.get(id).then(
          (session) => ({ session }),
          (err: unknown) => ({ err }),
        );
        if ('session' in outcome) expect(outcome.session).toBeNull();
        else expect(outcome.err).toBeInstanceOf(Error);
      },
    },
    {
      name: "with onCorrupt: 'miss', corrupt data reads as no session",
      unsupported: allOf(needsCore('core options (onCorrupt)'), needsCorrupt),
      async run({ store, sid, inspect }) {
        const s = await store({ onCorrupt: 'miss' });
        const id = sid();
        await inspect.corrupt?.(s, id);
        expect(await s.get(id)).toBeNull();
      },
    },
    {
      name: 'the store keeps working after meeting corrupt data',
      unsupported: needsCorrupt,
      async run({ store, sid, inspect }) {
        const s = await store();
        const bad = sid();
        const good = sid();
        await inspect.corrupt?.(s, bad);
        await s.get(bad).catch(() => undefined);
        if (s.capabilities.methods.all) await s.all().catch(() => undefined);
        await s.set(good, makeSession({ ok: true }));
        expect(field(await s.get(good), 'ok')).toBe(true);
        await s.set(bad, makeSession({ repaired: true }));
        expect(field(await s.get(bad), 'repaired')).toBe(true);
      },
    },
  ],
};
