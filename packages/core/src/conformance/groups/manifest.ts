import { OPTIONAL_METHODS } from '../../capabilities';
import { ErrorCode } from '../../errors';
import { expect } from '../expect';
import { needsCore, rejectionOf } from '../fixtures';
import type { ConformanceGroup } from '../types';

/** The manifest tells the truth: declared methods work, undeclared ones say so. */
export const manifestGroup: ConformanceGroup = {
  name: 'manifest',
  cases: [
    {
      name: 'every declared optional method exists and resolves',
      unsupported: needsCore('capabilities manifest'),
      async run({ capabilities, store }) {
        const s = await store();
        const declared = OPTIONAL_METHODS.filter((method) => capabilities.methods[method]);
        for (const method of declared) expect(typeof s[method]).toBe('function');
        if (capabilities.methods.ids) expect(Array.isArray(await s.ids())).toBe(true);
        if (capabilities.methods.all) expect(Array.isArray(await s.all())).toBe(true);
        if (capabilities.methods.length) expect(typeof (await s.length())).toBe('number');
        if (capabilities.methods.clear) await expect(s.clear()).resolves.toBeUndefined();
      },
    },
    {
      name: 'an undeclared optional method fails with ERR_NOT_SUPPORTED',
      unsupported: needsCore('capabilities manifest'),
      async run({ declared, store }) {
        // A method the run's options left out may work: only the class's manifest is checked here.
        const s = await store();
        for (const method of OPTIONAL_METHODS.filter((name) => !declared.methods[name])) {
          const call =
            method === 'touch'
              ? s.touch('x', { cookie: {} } as never)
              : (s[method] as () => Promise<unknown>).call(s);
          expect(await rejectionOf(call)).toMatchObject({ code: ErrorCode.NotSupported });
        }
      },
    },
    {
      name: 'the manifest is well formed',
      unsupported: needsCore('capabilities manifest'),
      async run({ capabilities }) {
        expect(capabilities.ttlGranularityMs).toBeGreaterThan(0);
        expect(capabilities.replicationLagMs).toBeGreaterThanOrEqual(0);
        for (const method of OPTIONAL_METHODS) expect(typeof capabilities.methods[method]).toBe('boolean');
      },
    },
  ],
};
