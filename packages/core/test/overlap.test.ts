import { describe, expect, test } from '@jest/globals';
import {
  type ConditionalWriteResult,
  ErrorCode,
  MAX_SAVE_ATTEMPTS,
  MemoryStore,
  type SessionData,
} from '../src';
import { makeSession } from '../src/conformance/fixtures';
import { mergeOverlapping } from '../src/overlap';

const session = (data: Record<string, unknown>, expiresInMs = 60_000) => makeSession(data, expiresInMs);
const data = (merged: SessionData) => {
  const { cookie: _cookie, ...rest } = merged as unknown as Record<string, unknown>;
  return rest;
};

describe('mergeOverlapping', () => {
  test('keys this request changed take its values; the others keep the stored ones', () => {
    const base = session({ a: 1, b: 1, c: 1, d: { x: 1 } });
    const mine = session({ a: 2, b: 1, d: { x: 1 }, e: 5 });
    const stored = session({ a: 1, b: 3, c: 1, d: { x: 9 }, f: 6 });
    expect(data(mergeOverlapping(base, mine, stored))).toEqual({ a: 2, b: 3, d: { x: 9 }, e: 5, f: 6 });
  });

  test('a key changed by both: this (the later) save wins', () => {
    expect(data(mergeOverlapping(session({ k: 1 }), session({ k: 2 }), session({ k: 3 })))).toEqual({ k: 2 });
  });

  test('nested values compare by value, so a rebuilt but equal object is unchanged', () => {
    const merged = mergeOverlapping(
      session({ o: { a: [1] } }),
      session({ o: { a: [1] } }),
      session({ o: 'new' }),
    );
    expect(data(merged)).toEqual({ o: 'new' });
  });

  test('the cookie that expires later wins, and a cookie without expiry is the latest', () => {
    const early = session({}, 10_000);
    const late = session({}, 90_000);
    expect(mergeOverlapping(early, early, late).cookie).toBe(late.cookie);
    expect(mergeOverlapping(early, late, early).cookie).toBe(late.cookie);
    const browser = { ...early, cookie: { ...early.cookie, expires: null } } as unknown as SessionData;
    expect(mergeOverlapping(early, browser, late).cookie).toBe(browser.cookie);
  });
});

/** A store whose every conditional write finds the stored copy changed. */
class AlwaysChangedStore extends MemoryStore {
  writes = 0;
  protected override async writeSessionIf(): Promise<ConditionalWriteResult> {
    this.writes += 1;
    return 'changed';
  }
}

describe('saving a loaded session', () => {
  test(`gives up with ERR_WRITE_CONFLICT after ${MAX_SAVE_ATTEMPTS} attempts, to the callback and the promise`, async () => {
    const store = new AlwaysChangedStore();
    await store.set('s', session({ a: 1 }));
    const loaded = (await store.get('s')) as SessionData;
    await expect(store.set('s', loaded)).rejects.toMatchObject({
      code: ErrorCode.WriteConflict,
      sid: 's',
      attempts: MAX_SAVE_ATTEMPTS,
    });
    expect(store.writes).toBe(MAX_SAVE_ATTEMPTS);
    const viaCallback = await new Promise((resolve) => store.set('s', loaded, resolve));
    expect(viaCallback).toMatchObject({ code: ErrorCode.WriteConflict });
    await store.close();
  }, 30_000);

  test('a second save of the same object in one request starts from its first save', async () => {
    const store = new MemoryStore();
    await store.set('s', session({ a: 1, b: 1 }));
    const mine = (await store.get('s')) as unknown as Record<string, unknown>;
    const other = (await store.get('s')) as unknown as Record<string, unknown>;
    other.b = 2;
    await store.set('s', other as unknown as SessionData);
    mine.a = 2;
    await store.set('s', mine as unknown as SessionData);
    mine.c = 3;
    await store.set('s', mine as unknown as SessionData);
    expect(data((await store.get('s')) as SessionData)).toEqual({ a: 2, b: 2, c: 3 });
    await store.close();
  });
});
