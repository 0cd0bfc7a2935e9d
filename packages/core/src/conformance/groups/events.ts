import { expect } from '@jest/globals';
import type { StoreCapabilities } from '../../capabilities';
import { ErrorCode } from '../../errors';
import { makeSession, sleep, waitFor } from '../fixtures';
import type { ConformanceGroup } from '../types';

const needsEvent =
  (event: 'connect' | 'disconnect') =>
  (capabilities: StoreCapabilities): string | undefined =>
    capabilities.events[event] ? undefined : `store declares no "${event}" event`;

/** connect / disconnect drive express-session's store-ready gate. */
export const eventsGroup: ConformanceGroup = {
  name: 'events',
  cases: [
    {
      name: 'emits connect once ready (or is already connected when created)',
      unsupported: needsEvent('connect'),
      async run({ store }) {
        const s = await store();
        let heard = false;
        s.once('connect', () => {
          heard = true;
        });
        await s.ready(5000);
        await sleep(10);
        expect(s.connected || heard).toBe(true);
      },
    },
    {
      name: 'emits disconnect after close()',
      unsupported: needsEvent('disconnect'),
      async run({ store }) {
        const s = await store();
        await s.ready(5000);
        let heard = false;
        s.once('disconnect', () => {
          heard = true;
        });
        await s.close();
        await waitFor(async () => heard, 2000, 10);
        expect(heard).toBe(true);
        expect(s.connected).toBe(false);
      },
    },
    {
      name: 'operations after close() fail with ERR_STORE_CLOSED',
      async run({ store, sid }) {
        const s = await store();
        await s.close();
        await expect(s.get(sid())).rejects.toMatchObject({ code: ErrorCode.StoreClosed });
        await expect(s.set(sid(), makeSession())).rejects.toMatchObject({ code: ErrorCode.StoreClosed });
        await expect(s.close()).resolves.toBeUndefined();
      },
    },
  ],
};
