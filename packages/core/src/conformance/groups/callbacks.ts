import { ErrorCode } from '../../errors';
import type { SessionData } from '../../session-data';
import type { SessionStore } from '../../session-store';
import { expect } from '../expect';
import {
  makeSession,
  needsCore,
  needsPlain,
  rejectionOf,
  sleep,
  storeForFrameworks,
  waitFor,
} from '../fixtures';
import type { PlainStoreAdapter } from '../plain-store';
import type { ConformanceGroup } from '../types';

/** Calls `method` with a callback and resolves with what the callback received, counting calls. */
function viaCallback(
  invoke: (callback: (err: unknown, value?: unknown) => void) => unknown,
): Promise<{ err: unknown; value: unknown; calls: () => number; sync: boolean }> {
  return new Promise((resolve) => {
    let calls = 0;
    let returned = false;
    invoke((err, value) => {
      calls += 1;
      resolve({ err, value, calls: () => calls, sync: !returned });
    });
    returned = true;
  });
}

type Invocation = (
  store: SessionStore,
  sid: string,
  callback: (err: unknown, value?: unknown) => void,
) => unknown;

function supportedCalls(store: SessionStore): Array<[string, Invocation]> {
  const methods = store.capabilities.methods;
  const calls: Array<[string, Invocation]> = [
    ['set', (s, id, cb) => s.set(id, makeSession({ v: 1 }), cb)],
    ['get', (s, id, cb) => s.get(id, cb)],
  ];
  if (methods.touch) calls.push(['touch', (s, id, cb) => s.touch(id, makeSession({ v: 1 }), cb)]);
  if (methods.all) calls.push(['all', (s, _id, cb) => s.all(cb)]);
  if (methods.ids) calls.push(['ids', (s, _id, cb) => s.ids(cb)]);
  if (methods.length) calls.push(['length', (s, _id, cb) => s.length(cb)]);
  calls.push(['destroy', (s, id, cb) => s.destroy(id, cb)]);
  if (methods.clear) calls.push(['clear', (s, _id, cb) => s.clear(cb)]);
  return calls;
}

/** Every method works with a callback and as a promise; errors go where the caller looks. */
export const callbacksGroup: ConformanceGroup = {
  name: 'callbacks and promises',
  cases: [
    {
      name: 'every method calls its callback once, asynchronously, without error',
      unsupported: needsCore('promise to call back asynchronously'),
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        for (const [name, call] of supportedCalls(s)) {
          const outcome = await viaCallback((cb) => call(s, id, cb));
          await sleep(5);
          expect({ name, err: outcome.err ?? null, sync: outcome.sync, calls: outcome.calls() }).toEqual({
            name,
            err: null,
            sync: false,
            calls: 1,
          });
        }
      },
    },
    {
      // express-session accepts a callback called at once or later, but only once.
      name: 'every method calls its callback exactly once, without error',
      unsupported: needsPlain,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        for (const [name, call] of supportedCalls(s)) {
          const outcome = await viaCallback((cb) => call(s, id, cb));
          expect({ name, err: outcome.err ?? null }).toEqual({ name, err: null });
        }
        // Long enough for a second call to arrive; the kit counts every call the store makes.
        await sleep(50);
        expect((s as unknown as PlainStoreAdapter).violations).toEqual([]);
      },
    },
    {
      name: 'callback results match the promise results',
      unsupported: needsCore('promises'),
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession({ v: 3 }));
        const viaCb = await viaCallback((cb) => s.get(id, cb));
        expect(viaCb.value).toEqual(await s.get(id));
        if (s.capabilities.methods.length) {
          expect((await viaCallback((cb) => s.length(cb))).value).toBe(await s.length());
        }
      },
    },
    {
      name: 'bad arguments reject with ERR_INVALID_ARGUMENT and never throw synchronously',
      unsupported: needsCore('typed errors'),
      async run({ store }) {
        const s = await store();
        const loose = s as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const bad: Array<[string, () => Promise<unknown>]> = [
          ['get(undefined)', () => loose.get!.call(s, undefined)],
          ['get("")', () => loose.get!.call(s, '')],
          ['get(42)', () => loose.get!.call(s, 42)],
          ['set(sid, null)', () => loose.set!.call(s, 'x', null)],
          ['set(sid, "text")', () => loose.set!.call(s, 'x', 'text')],
          ['destroy(null)', () => loose.destroy!.call(s, null)],
        ];
        for (const [label, call] of bad) {
          let promise: Promise<unknown> | undefined;
          expect(() => {
            promise = call();
          }).not.toThrow();
          expect({ label, err: await rejectionOf(promise as Promise<unknown>) }).toMatchObject({
            label,
            err: { code: ErrorCode.InvalidArgument },
          });
        }
      },
    },
    {
      name: 'errors reach the callback, not a throw',
      unsupported: needsCore('typed errors'),
      async run({ store }) {
        const s = await store();
        const outcome = await viaCallback((cb) =>
          (s.get as (...args: unknown[]) => unknown).call(s, undefined, cb),
        );
        expect(outcome.err).toMatchObject({ code: ErrorCode.InvalidArgument });
      },
    },
    {
      name: 'a session that cannot be serialized fails with ERR_SESSION_SERIALIZE',
      unsupported: needsCore('typed errors'),
      async run({ store, sid }) {
        const s = await store();
        const circular = makeSession({}) as SessionData & { self?: unknown };
        circular.self = circular;
        expect(await rejectionOf(s.set(sid(), circular))).toMatchObject({ code: ErrorCode.SerializeFailed });
        const big = makeSession({ n: BigInt(1) });
        expect(await rejectionOf(s.set(sid(), big))).toMatchObject({ code: ErrorCode.SerializeFailed });
      },
    },
    {
      name: 'destroy without a callback works and never rejects unhandled',
      unsupported: needsCore('promises'),
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession());
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => {
          unhandled.push(reason);
        };
        process.on('unhandledRejection', onUnhandled);
        try {
          s.destroy(id);
          (s.destroy as (sid: unknown) => unknown)(undefined);
          await sleep(50);
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
        expect(unhandled).toEqual([]);
        expect(await s.get(id)).toBeNull();
      },
    },
    {
      // express-session's req.session.destroy() with no callback calls the store's destroy with none.
      name: 'destroy without a callback destroys the session and throws nothing',
      unsupported: needsPlain,
      async run({ store, sid }) {
        const s = await store();
        const id = sid();
        await s.set(id, makeSession());
        const raw = storeForFrameworks(s) as unknown as { destroy(sid: string): void };
        expect(() => raw.destroy(id)).not.toThrow();
        expect(await waitFor(async () => (await s.get(id)) === null, 5000, 20)).toBe(true);
      },
    },
    {
      name: 'a callback that throws is not called a second time',
      unsupported: needsCore('error event for a callback that throws'),
      async run({ store, sid }) {
        const s = await store();
        const thrown: unknown[] = [];
        s.on('error', (err: unknown) => thrown.push(err));
        let calls = 0;
        s.get(sid(), () => {
          calls += 1;
          throw new Error('thrown by the callback');
        });
        s.set(sid(), makeSession(), () => {
          calls += 1;
          throw new Error('thrown by the callback');
        });
        // Wait for both callbacks (slow backends), then a little longer for a wrongful second call.
        await waitFor(async () => calls >= 2, 10_000, 10);
        await sleep(100);
        expect(calls).toBe(2);
        expect(thrown).toHaveLength(2);
        expect(thrown[0]).toMatchObject({ message: 'thrown by the callback' });
      },
    },
  ],
};
