import { describe, expect, test } from '@jest/globals';
import type { Request } from 'express';
import session from 'express-session';
import { createStoreFactory, ErrorCode, MemoryStore } from '../src';

describe('createStoreFactory: the classic (session) => Store factory', () => {
  const factory = createStoreFactory(MemoryStore);

  test('with the express-session module it returns a usable store class', async () => {
    const Store = factory(session);
    const store = new Store({ prefix: 'f:' });
    expect(store).toBeInstanceOf(session.Store);
    await store.set('a', { cookie: { maxAge: 1000 } } as never);
    expect(await store.get('a')).toEqual({ cookie: { maxAge: 1000 } });
    await store.close();
  });

  test('without an argument it returns the class itself', () => {
    expect(factory()).toBe(MemoryStore);
  });

  test('anything but the express-session module is an invalid argument', () => {
    expect(() => factory({} as never)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    expect(() => factory(null as never)).toThrow(expect.objectContaining({ argument: 'session' }));
  });

  test('a second copy of express-session gets a class whose sessions are its own', () => {
    // A look-alike module, as a second installed copy of express-session would be.
    const created: unknown[] = [];
    class OtherStore {}
    Object.assign(OtherStore.prototype, {
      createSession(this: unknown, _req: unknown, data: unknown) {
        created.push(data);
        return data;
      },
    });
    const Bound = factory({ Store: OtherStore as never });
    expect(Bound).not.toBe(MemoryStore);
    expect(Bound.name).toBe('MemoryStore');
    expect(factory({ Store: OtherStore as never })).toBe(Bound);
    const store = new Bound();
    store.createSession({} as Request, { cookie: {} } as never);
    expect(created).toHaveLength(1);
    expect(store).toBeInstanceOf(MemoryStore);
    return store.close();
  });
});
