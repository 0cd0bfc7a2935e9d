import { beforeEach, expect, test } from '@jest/globals';
import { type AsyncSession, ErrorCode } from '../src';

/** Runs code against one client's session: through a real request, or on a test session. */
export interface ApiHarness {
  /** Runs `fn` with the current client's session (one request for the middleware). */
  step<T>(fn: (session: AsyncSession) => Promise<T> | T): Promise<T>;
}

/** Calls a callback-style method and resolves with `[err, value]` as the callback received them. */
function viaCallback<T>(
  call: (callback: (err: unknown, value?: T) => void) => unknown,
): Promise<[unknown, T | undefined]> {
  return new Promise((resolve) => {
    const returned = call((err, value) => resolve([err, value]));
    expect(returned).toBeUndefined();
  });
}

/**
 * The API table: every method, promise and callback forms, run the same way against the
 * Redis middleware and the test doubles. `newHarness` gives a fresh client (no cookie).
 */
export function apiTable(newHarness: () => ApiHarness): void {
  let client: ApiHarness;
  beforeEach(() => {
    client = newHarness();
  });

  test('set then get in a later request returns the value; JSON types survive', async () => {
    const values = {
      text: 'héllo ✓',
      number: 42.5,
      yes: true,
      nothing: null,
      list: [1, 'two', { three: 3 }],
      nested: { a: { b: { c: [true, false] } } },
    };
    await client.step(async (s) => {
      for (const [key, value] of Object.entries(values)) await s.set(key, value);
    });
    const read = await client.step(async (s) => {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(values)) out[key] = await s.get(key);
      return out;
    });
    expect(read).toEqual(values);
  });

  test('Dates come back as Dates, at the top level and nested; look-alike objects stay objects', async () => {
    const when = new Date('2024-02-29T12:34:56.789Z');
    await client.step(async (s) => {
      await s.set('when', when);
      await s.set('deep', { at: [when, { again: when }], label: 'x' });
      await s.set('lookalike', { $date: 'not a date' });
      await s.set('escaped', { $esc: { $date: '2020-01-01T00:00:00.000Z' } });
    });
    const read = await client.step((s) => s.mget(['when', 'deep', 'lookalike', 'escaped']));
    expect(read.when).toBeInstanceOf(Date);
    expect((read.when as Date).toISOString()).toBe(when.toISOString());
    const deep = read.deep as { at: [Date, { again: Date }]; label: string };
    expect(deep.at[0]).toBeInstanceOf(Date);
    expect(deep.at[1].again.getTime()).toBe(when.getTime());
    expect(read.lookalike).toEqual({ $date: 'not a date' });
    expect(read.escaped).toEqual({ $esc: { $date: '2020-01-01T00:00:00.000Z' } });
  });

  test('get of a key never set, and of a brand-new session, is null', async () => {
    expect(await client.step((s) => s.get('missing'))).toBeNull();
    await client.step((s) => s.set('a', 1));
    expect(await client.step((s) => s.get('missing'))).toBeNull();
  });

  test('mget returns an object with every asked key, null where unset', async () => {
    await client.step((s) => s.mset({ a: 1, b: { two: 2 } }));
    const read = await client.step((s) => s.mget(['b', 'a', 'zz', 'a']));
    expect(read).toEqual({ b: { two: 2 }, a: 1, zz: null });
    expect(Object.keys(read)).toEqual(['b', 'a', 'zz']);
    expect(Array.isArray(read)).toBe(false);
    expect(await client.step((s) => s.mget([]))).toEqual({});
  });

  test('mset stores every property; an empty object is a no-op', async () => {
    await client.step(async (s) => {
      await s.mset({});
      await s.mset({ x: 'one', y: ['two'] });
    });
    expect(await client.step((s) => s.mget(['x', 'y']))).toEqual({ x: 'one', y: ['two'] });
  });

  test('remove deletes one key, or only the listed keys of an array', async () => {
    await client.step((s) => s.mset({ a: 1, b: 2, c: 3, d: 4 }));
    await client.step((s) => s.remove('a'));
    expect(await client.step((s) => s.mget(['a', 'b', 'c', 'd']))).toEqual({ a: null, b: 2, c: 3, d: 4 });
    await client.step((s) => s.remove(['b', 'c', 'never-set']));
    expect(await client.step((s) => s.mget(['a', 'b', 'c', 'd']))).toEqual({
      a: null,
      b: null,
      c: null,
      d: 4,
    });
    await client.step((s) => s.remove([]));
  });

  test('the id stays the same across requests; a new session says isNew', async () => {
    const first = await client.step(async (s) => {
      const before = { id: s.id, isNew: s.isNew };
      await s.set('k', 'v');
      return before;
    });
    expect(first.isNew).toBe(true);
    expect(await client.step((s) => s.id)).toBe(first.id);
  });

  test('invalidate deletes the data and continues with a new, empty session', async () => {
    await client.step((s) => s.set('user', 'ann'));
    const during = await client.step(async (s) => {
      const oldId = s.id;
      await s.invalidate();
      return { oldId, newId: s.id, isNew: s.isNew, user: await s.get('user') };
    });
    expect(during.newId).not.toBe(during.oldId);
    expect(during.isNew).toBe(true);
    expect(during.user).toBeNull();
    expect(await client.step((s) => s.get('user'))).toBeNull();
  });

  test('regenerate moves the data to a new id', async () => {
    await client.step((s) => s.mset({ cart: [1, 2], when: new Date(0) }));
    const moved = await client.step(async (s) => {
      const oldId = s.id;
      const returned = await s.regenerate();
      return { oldId, returned, id: s.id, cart: await s.get('cart') };
    });
    expect(moved.returned).toBe(moved.id);
    expect(moved.id).not.toBe(moved.oldId);
    expect(moved.cart).toEqual([1, 2]);
    const later = await client.step(async (s) => ({ id: s.id, read: await s.mget(['cart', 'when']) }));
    expect(later.id).toBe(moved.id);
    expect(later.read).toEqual({ cart: [1, 2], when: new Date(0) });
  });

  test('regenerate of a session with nothing stored just changes the id', async () => {
    const result = await client.step(async (s) => {
      const oldId = s.id;
      const id = await s.regenerate();
      return { changed: id !== oldId, value: await s.get('x') };
    });
    expect(result).toEqual({ changed: true, value: null });
  });

  test('touch resolves true for a stored session, false for a new one', async () => {
    expect(await client.step((s) => s.touch())).toBe(false);
    await client.step((s) => s.set('a', 1));
    expect(await client.step((s) => s.touch())).toBe(true);
  });

  test('every method also takes a callback (and then returns undefined)', async () => {
    const results = await client.step(async (s) => {
      const out: Record<string, [unknown, unknown]> = {};
      out.set = await viaCallback<void>((cb) => s.set('a', { n: 1 }, cb));
      out.mset = await viaCallback<void>((cb) => s.mset({ b: 2, c: new Date(5) }, cb));
      out.get = await viaCallback((cb) => s.get('a', cb));
      out.mget = await viaCallback((cb) => s.mget(['b', 'c', 'x'], cb));
      out.remove = await viaCallback<void>((cb) => s.remove(['b'], cb));
      out.touch = await viaCallback<boolean>((cb) => s.touch(cb));
      const before = s.id;
      out.regenerate = await viaCallback<string>((cb) => s.regenerate(cb));
      out.regenerated = [null, s.id !== before && out.regenerate[1] === s.id];
      out.invalidate = await viaCallback<void>((cb) => s.invalidate(cb));
      out.afterInvalidate = await viaCallback((cb) => s.get('a', cb));
      return out;
    });
    expect(results).toEqual({
      set: [null, undefined],
      mset: [null, undefined],
      get: [null, { n: 1 }],
      mget: [null, { b: 2, c: new Date(5), x: null }],
      remove: [null, undefined],
      touch: [null, true],
      regenerate: [null, expect.any(String)],
      regenerated: [null, true],
      invalidate: [null, undefined],
      afterInvalidate: [null, null],
    });
  });

  test('invalid keys fail with ERR_INVALID_ARGUMENT, as a rejection and through the callback', async () => {
    const errors = await client.step(async (s) => {
      const codes: unknown[] = [];
      const bad: Array<() => Promise<unknown>> = [
        () => s.get(''),
        () => s.get(42 as never),
        () => s.get('@created'),
        () => s.set('', 1),
        () => s.set('k', undefined),
        () => s.mset({ ok: 1, '@meta': 2 }),
        () => s.mset(null as never),
        () => s.mget('a' as never),
        () => s.mget(['a', '']),
        () => s.remove(['a', 7 as never]),
      ];
      for (const call of bad)
        codes.push(await call().catch((err: { code?: string; argument?: string }) => err.code));
      const [cbErr] = await viaCallback((cb) => s.get('', cb));
      codes.push((cbErr as { code?: string }).code);
      // Nothing was stored by the failed calls.
      codes.push(await s.get('ok'));
      return codes;
    });
    expect(errors).toEqual([...Array(11).fill(ErrorCode.InvalidArgument), null]);
  });

  test('values JSON cannot hold fail with ERR_SESSION_SERIALIZE and store nothing', async () => {
    const result = await client.step(async (s) => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const codes = [
        await s.set('c', circular).catch((err: { code?: string }) => err.code),
        await s.set('big', 10n).catch((err: { code?: string }) => err.code),
      ];
      return { codes, stored: await s.mget(['c', 'big']) };
    });
    expect(result).toEqual({
      codes: [ErrorCode.SerializeFailed, ErrorCode.SerializeFailed],
      stored: { c: null, big: null },
    });
  });

  test('stored values are copies: later changes to the object do not leak in or out', async () => {
    const result = await client.step(async (s) => {
      const cart = { items: [1] };
      await s.set('cart', cart);
      cart.items.push(2);
      const first = (await s.get<{ items: number[] }>('cart')) as { items: number[] };
      first.items.push(3);
      return { first, second: await s.get('cart') };
    });
    expect(result.first).toEqual({ items: [1, 3] });
    expect(result.second).toEqual({ items: [1] });
  });

  test('concurrent calls in one request all land', async () => {
    await client.step((s) => Promise.all([s.set('a', 1), s.set('b', 2), s.mset({ c: 3 })]));
    const read = await client.step((s) => Promise.all([s.get('a'), s.mget(['b', 'c'])]));
    expect(read).toEqual([1, { b: 2, c: 3 }]);
  });
}
