import { expect } from '@jest/globals';
import { ErrorCode } from '../../errors';
import { field, makeSession, needsInspect } from '../fixtures';
import type { ConformanceGroup } from '../types';

const needsCorrupt = needsInspect('corrupt');

/** Data the store cannot decode is an error with a code, or a miss: never a crash. */
export const corruptDataGroup: ConformanceGroup = {
  name: 'corrupt data',
  cases: [
    {
      name: 'get of corrupt data fails with ERR_SESSION_CORRUPT',
      unsupported: needsCorrupt,
      async run({ store, sid, inspect }) {
        const s = await store();
        const id = sid();
        await inspect.corrupt?.(s, id);
        await expect(s.get(id)).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
      },
    },
    {
      name: "with onCorrupt: 'miss', corrupt data reads as no session",
      unsupported: needsCorrupt,
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
