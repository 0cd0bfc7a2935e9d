import { describe, expect, test } from '@jest/globals';
import { ErrorCode, MemoryDatabase, MemoryStore, type SessionData } from '../src';

const session = (n: number, maxAge = 60_000): SessionData =>
  ({ cookie: { expires: new Date(Date.now() + maxAge) }, n }) as unknown as SessionData;

describe('MemoryStore', () => {
  test('maxSessions evicts the least recently used session', async () => {
    const store = new MemoryStore({ maxSessions: 2 });
    await store.set('a', session(1));
    await store.set('b', session(2));
    await store.get('a'); // a is now more recent than b
    await store.set('c', session(3));
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).toMatchObject({ n: 1 });
    expect(await store.length()).toBe(2);
    await store.close();
  });

  test('the periodic sweep removes expired entries without any read', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 50 });
    await store.set('short', session(1, 100));
    await store.set('long', session(2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...store.database.keys()]).toEqual(['sess:long']);
    await store.close();
  });

  test('its sweep timer does not keep the process alive', () => {
    const store = new MemoryStore({ sweepIntervalMs: 1000 });
    const timer = (store as unknown as { sweeper: NodeJS.Timeout }).sweeper;
    expect(timer.hasRef()).toBe(false);
    return store.close();
  });

  test.each([
    [{ maxSessions: 0 }, 'maxSessions'],
    [{ sweepIntervalMs: -1 }, 'sweepIntervalMs'],
    [{ database: {} as MemoryDatabase }, 'database'],
    [{ database: new MemoryDatabase(), maxSessions: 3 }, 'maxSessions'],
    [{ prefix: 5 as unknown as string }, 'prefix'],
    [{ prefix: 'a\nb' }, 'prefix'],
    [{ serializer: { parse: JSON.parse } as never }, 'serializer'],
    [{ disableTouch: 'no' as unknown as boolean }, 'disableTouch'],
    [{ onCorrupt: 'ignore' as never }, 'onCorrupt'],
    [{ ttl: 0 }, 'ttl'],
  ])('invalid options %p name the option %s', (options, option) => {
    expect(() => new MemoryStore(options)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option }),
    );
  });

  test('an async serializer parse is awaited', async () => {
    const store = new MemoryStore({
      serializer: {
        stringify: JSON.stringify,
        parse: async (text) => ({ ...JSON.parse(text), parsed: true }),
      },
    });
    await store.set('a', session(1));
    expect(await store.get('a')).toMatchObject({ n: 1, parsed: true });
    await store.close();
  });

  test('a parse result that is not an object is corrupt data', async () => {
    const store = new MemoryStore({ serializer: { stringify: JSON.stringify, parse: () => 42 as never } });
    await store.set('a', session(1));
    await expect(store.get('a')).rejects.toMatchObject({ code: ErrorCode.CorruptSession, sid: 'a' });
    await store.close();
  });

  test('connect is emitted after construction, so a listener added at once hears it', async () => {
    const store = new MemoryStore();
    const heard = await new Promise<boolean>((resolve) => {
      store.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 100);
    });
    expect(heard).toBe(true);
    await store.close();
  });
});
