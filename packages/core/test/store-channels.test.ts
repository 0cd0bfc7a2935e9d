import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  ErrorCode,
  MemoryStore,
  type SessionData,
  STORE_OPERATIONS,
  type StoreOperationContext,
  storeChannel,
  subscribeStoreOperations,
} from '../src';

type Event = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
const EVENTS: Event[] = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];

const session = {
  cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() },
  n: 1,
} as unknown as SessionData;

/** Records every event of every store operation until `stop()`. */
function record() {
  const seen: Array<{ event: Event; context: StoreOperationContext; snapshot: Record<string, unknown> }> = [];
  const handlers = STORE_OPERATIONS.map((operation) => {
    const handler = Object.fromEntries(
      EVENTS.map((event) => [
        event,
        (context: StoreOperationContext) => seen.push({ event, context, snapshot: { ...context } }),
      ]),
    ) as unknown as Parameters<ReturnType<typeof storeChannel>['subscribe']>[0];
    storeChannel(operation).subscribe(handler);
    return () => storeChannel(operation).unsubscribe(handler);
  });
  return {
    seen,
    stop: () => {
      for (const stop of handlers) stop();
    },
  };
}

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function memoryStore(): MemoryStore {
  const store = new MemoryStore({ prefix: 'tel:' });
  cleanups.push(() => store.close());
  return store;
}

describe('store operations on diagnostics_channel', () => {
  it('a get publishes start, end, asyncStart and asyncEnd with the store, operation, backend and result', async () => {
    const store = memoryStore();
    await store.set('a', session);
    const { seen, stop } = record();
    cleanups.push(stop);
    const got = await store.get('a');
    expect(seen.map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    const context = seen[0]?.context as StoreOperationContext;
    expect(seen.every((e) => e.context === context)).toBe(true);
    expect(seen[0]?.snapshot).toEqual({
      store: 'MemoryStore',
      operation: 'get',
      backend: 'memory',
      prefix: 'tel:',
    });
    expect(context.result).toBe(got);
  });

  it('every operation publishes on its own channel, session-stores:store:<operation>', async () => {
    const store = memoryStore();
    const names: string[] = [];
    const listeners = STORE_OPERATIONS.map((operation) => {
      const name = `tracing:session-stores:store:${operation}:start`;
      const listener = (message: unknown) =>
        names.push(`${name}=${(message as StoreOperationContext).operation}`);
      diagnosticsChannel.subscribe(name, listener);
      return () => diagnosticsChannel.unsubscribe(name, listener);
    });
    cleanups.push(() => {
      for (const stop of listeners) stop();
    });
    await store.set('a', session);
    await store.get('a');
    await store.touch('a', session);
    await store.all();
    await store.ids();
    await store.length();
    await store.destroy('a');
    await store.clear();
    expect(names).toEqual(
      ['set', 'get', 'touch', 'all', 'ids', 'length', 'destroy', 'clear'].map(
        (op) => `tracing:session-stores:store:${op}:start=${op}`,
      ),
    );
  });

  it('a failure publishes error with the code, then the caller gets the same error', async () => {
    const store = memoryStore();
    const { seen, stop } = record();
    cleanups.push(stop);
    const err = await store.get('').catch((error: unknown) => error);
    expect((err as { code?: string }).code).toBe(ErrorCode.InvalidArgument);
    const failed = seen.find((e) => e.event === 'error');
    expect(failed?.context.code).toBe(ErrorCode.InvalidArgument);
    expect(failed?.context.error).toBe(err);

    await store.close();
    await store.set('x', session).catch(() => undefined);
    expect(seen.filter((e) => e.event === 'error').map((e) => [e.context.operation, e.context.code])).toEqual(
      [
        ['get', ErrorCode.InvalidArgument],
        ['set', ErrorCode.StoreClosed],
      ],
    );
  });

  it('nothing is published while nobody subscribes, and the store works the same', async () => {
    const store = memoryStore();
    const start = diagnosticsChannel.channel('tracing:session-stores:store:get:start');
    expect(start.hasSubscribers).toBe(false);
    await store.set('a', session);
    await expect(store.get('a')).resolves.toMatchObject({ n: 1 });
  });

  it('a subscriber that throws does not break the operation, and is reported once as a warning', async () => {
    const store = memoryStore();
    await store.set('a', session);
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    cleanups.push(() => emitWarning.mockRestore());
    let calls = 0;
    const stop = subscribeStoreOperations({
      start: () => {
        calls += 1;
        throw new Error('subscriber failed');
      },
      error: () => {
        throw new Error('subscriber failed again');
      },
    });
    cleanups.push(stop);
    await expect(store.get('a')).resolves.toMatchObject({ n: 1 });
    await expect(store.set('b', session)).resolves.toBeUndefined();
    await expect(store.get('')).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(3);
    expect(emitWarning.mock.calls).toEqual([
      [
        expect.stringContaining('threw on start (reported once): subscriber failed'),
        { code: 'SESSION_STORES_SUBSCRIBER' },
      ],
    ]);
  });

  it('subscribeStoreOperations delivers every event, and stops after unsubscribing', async () => {
    const store = memoryStore();
    const events: string[] = [];
    const stop = subscribeStoreOperations({
      start: (c) => events.push(`start ${c.operation}`),
      asyncEnd: (c) => events.push(`asyncEnd ${c.operation}`),
      error: (c) => events.push(`error ${c.operation} ${c.code}`),
    });
    await store.set('a', session);
    await store.touch('', session).catch(() => undefined);
    stop();
    await store.get('a');
    expect(events).toEqual([
      'start set',
      'asyncEnd set',
      'start touch',
      `error touch ${ErrorCode.InvalidArgument}`,
      'asyncEnd touch',
    ]);
  });
});
