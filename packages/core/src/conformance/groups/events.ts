import type { StoreCapabilities } from '../../capabilities';
import { ErrorCode } from '../../errors';
import type { SessionStore } from '../../session-store';
import { expect } from '../expect';
import { eventLoopTurns, makeSession, needsCore, waitFor } from '../fixtures';
import type { ConformanceGroup, ConformanceInspect } from '../types';

const needsEvent =
  (event: 'connect' | 'disconnect') =>
  (capabilities: StoreCapabilities): string | undefined =>
    capabilities.events[event] ? undefined : `store declares no "${event}" event`;

const needsDropConnection = (
  capabilities: StoreCapabilities,
  inspect: ConformanceInspect,
): string | undefined =>
  needsEvent('disconnect')(capabilities) ??
  needsEvent('connect')(capabilities) ??
  (inspect.dropConnection ? undefined : 'no inspect.dropConnection hook');

/** Every `connect` / `disconnect` the store emits from now on, in order. */
function recordEvents(store: SessionStore): string[] {
  const heard: string[] = [];
  store.on('connect', () => heard.push('connect'));
  store.on('disconnect', () => heard.push('disconnect'));
  return heard;
}

/**
 * connect / disconnect drive express-session's store-ready gate, which presumes a new
 * store ready: events must report real changes only, in order.
 */
export const eventsGroup: ConformanceGroup = {
  name: 'events',
  cases: [
    {
      name: 'a store that is ready when created emits no connect (express-session presumes it ready)',
      unsupported: needsEvent('connect'),
      async run({ store }) {
        const s = await store();
        const heard = recordEvents(s);
        await s.ready(5000);
        expect(s.connected).toBe(true);
        await eventLoopTurns(5);
        expect(heard).toEqual([]);
      },
    },
    {
      name: 'a dropped connection emits disconnect, then connect once back, and nothing else',
      unsupported: needsDropConnection,
      timeoutMs: 20_000,
      async run({ store, inspect, sid }) {
        const s = await store();
        await s.ready(5000);
        const heard = recordEvents(s);
        await inspect.dropConnection?.(s);
        const back = await waitFor(async () => s.connected && heard.at(-1) === 'connect', 15_000, 10);
        expect({ back, heard }).toEqual({ back: true, heard: ['disconnect', 'connect'] });
        await eventLoopTurns(5);
        expect(heard).toEqual(['disconnect', 'connect']);
        const id = sid();
        await s.set(id, makeSession({ after: 'reconnect' }));
        expect(await s.get(id)).toMatchObject({ after: 'reconnect' });
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
      unsupported: needsCore('typed errors'),
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
